package backend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// hangLimit is how long a test may go without finishing before the
// watchdog declares a deadlock. It detects hangs; it is not a speed bound
// (the tests take well under a second each).
const hangLimit = 60 * time.Second

// watchdog dumps every goroutine's stack and crashes the test binary if
// stop is not called within limit: a deadlocked test goroutine can never
// reach t.Fatal itself.
func watchdog(t *testing.T, limit time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(limit):
			buf := make([]byte, 1<<22)
			n := runtime.Stack(buf, true)
			fmt.Fprintf(os.Stderr, "%s: not done after %v, presumed deadlocked; all goroutines:\n%s\n",
				t.Name(), limit, buf[:n])
			panic(fmt.Sprintf("%s: deadlock (no progress in %v)", t.Name(), limit))
		}
	}()
	return sync.OnceFunc(func() { close(done) })
}

// dotCase is one DotGeneral of the stress graph: [B,] M×K times K×N (or
// rhs stored N×K when rhsT), B = 0 meaning no batch axis.
type dotCase struct {
	dtype      dtypes.DType
	b, m, k, n int
	rhsT       bool
}

// dotCases take every DotGeneral path on a 2-core machine: float64 ones run
// simplego's own kernel (its small path, and its large path for the
// 130×128 output), float32 ones the wrapper's GEMM (serial when tiny, over
// goroutines for the 96×64×128 one).
var dotCases = []dotCase{
	{dtypes.Float64, 0, 3, 4, 2, false},
	{dtypes.Float64, 8, 6, 7, 5, false},
	{dtypes.Float64, 5, 4, 9, 3, true},
	{dtypes.Float64, 0, 130, 16, 128, false},
	{dtypes.Float32, 0, 4, 3, 5, false},
	{dtypes.Float32, 8, 6, 7, 5, false},
	{dtypes.Float32, 3, 10, 20, 12, true},
	{dtypes.Float32, 0, 96, 128, 64, false},
}

// erfSize is above simplego's chunk for splitting Erf over workers (4096).
const erfSize = 8192

// stressInputs returns the operands of stressGraph (uniform [0, 1) values,
// so every sum is positive) and the sums it must return, from loops.
func stressInputs(rng *rand.Rand) (inputs []any, want []float64) {
	dims := func(b, r, c int) []int {
		if b == 0 {
			return []int{r, c}
		}
		return []int{b, r, c}
	}
	for _, c := range dotCases {
		bs := max(c.b, 1)
		l := make([]float64, bs*c.m*c.k)
		r := make([]float64, bs*c.k*c.n)
		for i := range l {
			l[i] = rng.Float64()
		}
		for i := range r {
			r[i] = rng.Float64()
		}
		// Σ_{b,i,j} Σ_k l[b,i,k]·r[b,k,j] = Σ_{b,k} (Σ_i l[b,i,k])·(Σ_j r[b,k,j]).
		sum := 0.0
		for b := range bs {
			for k := range c.k {
				var sl, sr float64
				for i := range c.m {
					sl += l[(b*c.m+i)*c.k+k]
				}
				for j := range c.n {
					if c.rhsT {
						sr += r[(b*c.n+j)*c.k+k]
					} else {
						sr += r[(b*c.k+k)*c.n+j]
					}
				}
				sum += sl * sr
			}
		}
		want = append(want, sum)
		rDims := dims(c.b, c.k, c.n)
		if c.rhsT {
			rDims = dims(c.b, c.n, c.k)
		}
		if c.dtype == dtypes.Float32 {
			inputs = append(inputs, tensors.FromFlatDataAndDimensions(toFloat32(l), dims(c.b, c.m, c.k)...),
				tensors.FromFlatDataAndDimensions(toFloat32(r), rDims...))
		} else {
			inputs = append(inputs, tensors.FromFlatDataAndDimensions(l, dims(c.b, c.m, c.k)...),
				tensors.FromFlatDataAndDimensions(r, rDims...))
		}
	}
	x := make([]float64, erfSize)
	sum := 0.0
	for i := range x {
		x[i] = 4*rng.Float64() - 1
		sum += math.Erf(x[i])
	}
	return append(inputs, tensors.FromFlatDataAndDimensions(x, erfSize)), append(want, sum)
}

func toFloat32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

// stressGraph returns the sum of each of the independent DotGenerals of
// dotCases and of Erf over the last input, as a float64 vector: all of
// them are ready at once, so simplego's parallel executor runs as many as
// its pool allows side by side.
func stressGraph(inputs []*Node) *Node {
	var sums []*Node
	for i, c := range dotCases {
		l, r := inputs[2*i], inputs[2*i+1]
		var batch []int
		if c.b > 0 {
			batch = []int{0}
		}
		la, ra := l.Rank()-1, r.Rank()-2
		if c.rhsT {
			ra = r.Rank() - 1
		}
		d := DotGeneral(l, []int{la}, batch, r, []int{ra}, batch)
		sums = append(sums, ConvertDType(ReduceAllSum(d), dtypes.Float64))
	}
	sums = append(sums, ReduceAllSum(Erf(inputs[len(inputs)-1])))
	return Stack(sums, 0)
}

// stress runs the stress graph on b reps times from each of goroutines
// goroutines at once, checking every result.
func stress(t *testing.T, b backends.Backend, goroutines, reps int) {
	t.Helper()
	exec := MustNewExec(b, stressGraph)
	defer exec.Finalize()
	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			// Own tensors per goroutine: GoMLX's tensors are not safe to
			// share between concurrent executions.
			inputs, want := stressInputs(rand.New(rand.NewPCG(1, 2)))
			for range reps {
				out, err := exec.Exec1(inputs...)
				if err != nil {
					errs <- err
					return
				}
				got := tensors.MustCopyFlatData[float64](out)
				for i, w := range want {
					if math.Abs(got[i]-w) > 1e-4*w {
						errs <- fmt.Errorf("sum %d = %.10g, want %.10g", i, got[i], w)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if w, ok := b.(*goBackend); ok {
		b = w.Unwrap()
	}
	if n := poolExtraParallelism(b.(*simplego.Backend)).Load(); n != 0 {
		t.Fatalf("%d workers still counted asleep after the runs", n)
	}
}

// TestNoDeadlockManyDots is the regression test for the hang of graphs with
// several DotGenerals on a 2-core machine: simplego v0.26.0 runs each ready
// op on its worker pool, and its DotGeneral (and Erf) then waits on the
// same pool for sub-tasks, so four of them at once on 2 CPUs filled the
// pool and waited on each other forever (pool.go). It runs the graph on
// the wrapped backend and on bare simplego backends (which share the
// executor table the wrapper patches), forcing parallel op execution too,
// at GOMAXPROCS 2 and 1, from one and from two goroutines.
func TestNoDeadlockManyDots(t *testing.T) {
	wrapped := goBackendForTest(t) // Installs the kernels first.
	bare, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	bareParallel, err := simplego.New("ops_parallel")
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Finalize()
	defer bareParallel.Finalize()
	reps := 300
	if testing.Short() {
		reps = 30 // For -race, which is 20 times slower.
	}
	stop := watchdog(t, hangLimit)
	defer stop()
	for _, procs := range []int{2, 1} {
		for _, bc := range []struct {
			name string
			b    backends.Backend
		}{{"wrapped", wrapped}, {"simplego", bare}, {"simplego-ops_parallel", bareParallel}} {
			t.Run(fmt.Sprintf("%s/GOMAXPROCS=%d", bc.name, procs), func(t *testing.T) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				stress(t, bc.b, 1, reps)
				stress(t, bc.b, 2, reps/2)
			})
		}
	}
}

// TestPoolCounterFound checks that the wrapper finds simplego's count of
// asleep workers where GoMLX keeps it: a GoMLX upgrade that moves it must
// fail here, not reopen the deadlock silently.
func TestPoolCounterFound(t *testing.T) {
	goBackendForTest(t)
	b, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	sb := b.(*simplego.Backend)
	extra := poolExtraParallelism(sb)
	if extra == nil {
		t.Fatal("simplego.Backend.workers.extraParallelism (atomic.Int32) not found")
	}
	field := reflect.ValueOf(sb).Elem().FieldByName("workers").FieldByName("extraParallelism")
	if uintptr(unsafe.Pointer(extra)) != field.UnsafeAddr() {
		t.Fatalf("counter at %p, field at %#x", extra, field.UnsafeAddr())
	}
	if extra.Load() != 0 {
		t.Fatalf("idle pool has %d asleep workers", extra.Load())
	}
	if stockErf == nil || stockDotGeneral == nil {
		t.Fatal("Erf or DotGeneral executor not wrapped")
	}
}
