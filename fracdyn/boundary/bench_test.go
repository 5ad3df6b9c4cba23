package boundary

import (
	"context"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
)

// BenchmarkTrain trains a 32×32 grid of the paper's tanh network for 20
// steps per iteration and reports network-steps per second, the unit of
// BENCHMARKS.md.
func BenchmarkTrain(bm *testing.B) {
	c := DefaultConfig()
	c.Resolution, c.Steps = 32, 20
	b := backend.MustNew()
	bm.ResetTimer()
	for range bm.N {
		if _, err := Train(context.Background(), b, c, nil); err != nil {
			bm.Fatal(err)
		}
	}
	bm.ReportMetric(float64(bm.N*c.Resolution*c.Resolution*c.Steps)/bm.Elapsed().Seconds(), "network-steps/s")
}
