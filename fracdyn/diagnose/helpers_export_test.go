package diagnose

// Test helpers for the external test package (activations_test.go, which
// imports fracdyn/analysis, itself an importer of diagnose).
var (
	RandomWeights = randomWeights
	TestImages    = testImages
)
