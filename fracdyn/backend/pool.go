package backend

import (
	"reflect"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// Nested waits on simplego's worker pool (GoMLX v0.26.0).
//
// simplego's parallel executor (exec.go, executeParallel) starts every
// ready op on its worker pool with workersPool.WaitToStart, which blocks
// while 2·NumCPU tasks run (4 on a 2-core machine). Three op kernels then
// split their work over the same pool with WaitToStart and wait for the
// pieces: DotGeneral's small path (dotgeneral_small.go: one piece per
// share of the batch), its large path (dotgeneral_large.go: one per share
// of the batch) and Erf over more than 4096 values (exec_unary.go). When
// four such ops are running, the pool is full of tasks that each wait for
// a free worker, and none frees: the graph hangs forever, with every
// worker parked in WaitToStart under execDotGeneralSmall, ...Large or
// execErf (graphs with a handful of independent Dots hit it on 2 cores;
// TestNoDeadlockManyDots reproduces it within its first runs).
//
// The pool has the remedy for its own large path: a worker about to wait
// on sub-tasks calls WorkerIsAsleep, which raises the limit by one for as
// long as it waits (workersPool.extraParallelism), so a full pool of
// waiting workers always leaves room for the pieces they wait on. The
// small path and Erf never call it. The wrapper does it for them: it
// installs those executors behind asleepWhileRunning, which counts the op's
// worker as asleep for the duration of the kernel. The kernel's own
// computation then runs on one more goroutine than the soft limit allows,
// which costs nothing measurable; the deadlock cannot recur, since every
// worker waiting in WaitToStart has added one slot that only pieces (which
// never wait) or other such workers (which add their own) can take.
//
// The wrapper's own float32 kernels never wait on the pool (GEMM uses its
// own goroutines), so float32 DotGenerals never hit the hang; float64 and
// other dtypes, which fall back to simplego's DotGeneral, and Erf did.

// extraParallelismOffset is the offset of
// simplego.Backend.workers.extraParallelism, an atomic.Int32; ok is false
// if GoMLX's layout changed, and then the kernels run unprotected.
var extraParallelismOffset, extraParallelismOK = func() (uintptr, bool) {
	workers, ok := reflect.TypeFor[simplego.Backend]().FieldByName("workers")
	if !ok || workers.Type.Kind() != reflect.Struct {
		return 0, false
	}
	extra, ok := workers.Type.FieldByName("extraParallelism")
	if !ok || extra.Type != reflect.TypeFor[atomic.Int32]() {
		return 0, false
	}
	return workers.Offset + extra.Offset, true
}()

// poolExtraParallelism returns the counter of asleep workers of b's pool,
// or nil if it cannot be found.
func poolExtraParallelism(b *simplego.Backend) *atomic.Int32 {
	if !extraParallelismOK || b == nil {
		return nil
	}
	return (*atomic.Int32)(unsafe.Add(unsafe.Pointer(b), extraParallelismOffset))
}

// asleepWhileRunning returns kernel with the calling worker counted as
// asleep (simplego's workersPool.WorkerIsAsleep) while it runs, so that
// the sub-tasks it waits on always find a free slot in the pool.
func asleepWhileRunning(kernel executor) executor {
	if kernel == nil {
		return nil
	}
	return func(b *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
		if extra := poolExtraParallelism(b); extra != nil {
			extra.Add(1)
			defer extra.Add(-1)
		}
		return kernel(b, node, inputs, owned)
	}
}

var stockErf executor

// installErfKernel puts simplego's Erf behind asleepWhileRunning.
func installErfKernel() {
	if stockErf = simplegoExecutors[backends.OpTypeErf]; stockErf != nil {
		simplegoExecutors[backends.OpTypeErf] = asleepWhileRunning(stockErf)
	}
}
