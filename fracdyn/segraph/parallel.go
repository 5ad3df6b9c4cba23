package segraph

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel splits [0,n) into one contiguous block per CPU.
func parallel(n int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 1<<14 || workers == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}

// parallelBlocks runs fn on the blocks [k·size, min((k+1)·size, n)) of
// [0,n), k = 0, 1, ..., spread over the CPUs. The blocks do not depend on
// the number of CPUs, so per-block partial sums added in block order give
// the same result on any machine.
func parallelBlocks(n, size int, fn func(k, lo, hi int)) {
	blocks := (n + size - 1) / size
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), blocks) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < blocks; k = int(next.Add(1) - 1) {
				fn(k, k*size, min((k+1)*size, n))
			}
		})
	}
	wg.Wait()
}
