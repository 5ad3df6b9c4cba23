package fractal

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
)

// benchMatrix returns a side×side float32 matrix of N(0, 0.02²) weights
// (seeded), filled in parallel.
func benchMatrix(side int) []float32 {
	w := make([]float32, side*side)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(wk), 42))
			lo, hi := len(w)*wk/workers, len(w)*(wk+1)/workers
			for i := lo; i < hi; i++ {
				w[i] = float32(rng.NormFloat64() * 0.02)
			}
		}()
	}
	wg.Wait()
	return w
}

var matrix4096 = sync.OnceValue(func() []float32 { return benchMatrix(4096) })

// cpuTime returns the CPU time (user + system) this process has used. On a
// shared machine it measures the work better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per op since start and the weights per CPU
// second.
func reportCPU(b *testing.B, start time.Duration, weights int) {
	cpu := (cpuTime() - start).Seconds() / float64(b.N)
	b.ReportMetric(cpu*1e3, "cpu-ms/op")
	b.ReportMetric(float64(weights)/cpu/1e6, "Mweights/cpu-s")
}

// reportMemory reports the heap allocated per op, plus the matrix itself,
// as a multiple of the matrix size: the peak of the analysis at one scale,
// since the kernel streams and allocates only its outputs.
func reportMemory(b *testing.B, before runtime.MemStats, matrixBytes int) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perOp := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
	b.ReportMetric((perOp+float64(matrixBytes))/float64(matrixBytes), "peak/matrix")
}

// BenchmarkLayerSegments4096 times segmentation, box-counting dimension and
// entropy of every segment of a 4096×4096 float32 matrix at r = 2, 4, 8, 16
// (fused kernel, all cores). MB/s counts the matrix bytes.
func BenchmarkLayerSegments4096(b *testing.B) {
	w := matrix4096()
	for _, r := range []int{2, 4, 8, 16} {
		b.Run(fmt.Sprintf("r=%d", r), func(b *testing.B) {
			b.SetBytes(int64(4 * len(w)))
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			start := cpuTime()
			for b.Loop() {
				if _, err := LayerSegments(w, []int{4096, 4096}, r, LayerOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start, len(w))
			b.ReportMetric(float64(len(w))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mweights/s")
			reportMemory(b, ms, 4*len(w))
		})
	}
}

// BenchmarkMemoryPass4096 is the floor the analysis is compared with: one
// parallel pass that reads every weight of the 4096×4096 matrix and sums
// |w|.
func BenchmarkMemoryPass4096(b *testing.B) {
	w := matrix4096()
	b.SetBytes(int64(4 * len(w)))
	workers := runtime.GOMAXPROCS(0)
	sums := make([]float32, workers)
	start := cpuTime()
	for b.Loop() {
		var wg sync.WaitGroup
		for wk := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var s0, s1, s2, s3 float32
				part := w[len(w)*wk/workers : len(w)*(wk+1)/workers]
				for i := 0; i+3 < len(part); i += 4 {
					s0 += kernels.Abs32(part[i])
					s1 += kernels.Abs32(part[i+1])
					s2 += kernels.Abs32(part[i+2])
					s3 += kernels.Abs32(part[i+3])
				}
				sums[wk] = s0 + s1 + s2 + s3
			}()
		}
		wg.Wait()
	}
	reportCPU(b, start, len(w))
	b.ReportMetric(float64(len(w))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mweights/s")
}

// BenchmarkLayerSegmentsGraph runs the GoMLX graph version on the configured
// backend (pure Go unless GOMLX_BACKEND says otherwise), graph compilation
// excluded by reusing nothing: each op builds and runs the graph, as
// LayerSegmentsGraph does.
func BenchmarkLayerSegmentsGraph(b *testing.B) {
	be := backend.MustNew()
	for _, side := range []int{1024, 4096} {
		w := benchMatrix(side)
		for _, r := range []int{2, 8} {
			b.Run(fmt.Sprintf("%d/r=%d", side, r), func(b *testing.B) {
				b.SetBytes(int64(4 * len(w)))
				start := cpuTime()
				for b.Loop() {
					if _, err := LayerSegmentsGraph(be, w, []int{side, side}, r, LayerOptions{}); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, start, len(w))
				b.ReportMetric(float64(len(w))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mweights/s")
			})
		}
	}
}

// BenchmarkLayerSegments16384 checks that the streaming design keeps a
// 16384×16384 float32 matrix (1 GiB) at r = 2 under 3× the matrix size. It
// needs about 2 GiB and runs only with FRACDYN_BENCH_LARGE=1.
func BenchmarkLayerSegments16384(b *testing.B) {
	if os.Getenv("FRACDYN_BENCH_LARGE") == "" {
		b.Skip("set FRACDYN_BENCH_LARGE=1 to run (allocates about 2 GiB)")
	}
	w := benchMatrix(16384)
	b.SetBytes(int64(4 * len(w)))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	start := cpuTime()
	for b.Loop() {
		if _, err := LayerSegments(w, []int{16384, 16384}, 2, LayerOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start, len(w))
	b.ReportMetric(float64(len(w))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mweights/s")
	reportMemory(b, ms, 4*len(w))
}

// BenchmarkQuadSumsRow and BenchmarkXlnxRow time the vector logarithm loops
// alone on 65,536 weights (L2-resident): the compute floor of the entropy.
func BenchmarkQuadSumsRow(b *testing.B) {
	w := matrix4096()[:1<<16]
	dst := make([]float64, len(w)/2)
	b.SetBytes(int64(4 * len(w)))
	for b.Loop() {
		kernels.QuadSums(dst, w, 1)
	}
}

func BenchmarkXlnxRow(b *testing.B) {
	w := matrix4096()[:1<<16]
	dst := make([]float64, len(w))
	b.SetBytes(int64(4 * len(w)))
	for b.Loop() {
		kernels.XlnxRow(dst, w)
	}
}
