package modelio

// Test helpers for the external test package (activations_test.go, which
// imports fracdyn/analysis, itself an importer of modelio).
var (
	RandomWeights = randomWeights
	TestImages    = testImages
)

const ONNXOutputName = onnxOutputName
