package backend

import (
	"runtime"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

var stockTanh executor

// installTanhKernel replaces simplego's float32 Tanh, which converts each
// element to float64 and calls math.Tanh (about 40 ns an element, most of
// a batched tanh network's training step), with a rational approximation
// evaluated in float32 (tanh32).
func installTanhKernel() {
	if stockTanh = simplegoExecutors[backends.OpTypeTanh]; stockTanh != nil {
		simplegoExecutors[backends.OpTypeTanh] = execTanh
	}
}

func execTanh(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	xs, x, ok := float32Data(backend, inputs[0])
	if !ok {
		return stockTanh(backend, node, inputs, owned)
	}
	buf := inputs[0]
	if owned[0] {
		inputs[0] = nil // Reused for the output, as simplego's own kernels do.
	} else {
		buf = backend.NewBuffer(xs)
	}
	_, dst, _ := float32Data(backend, buf)
	// Large inputs are split over the cores: on a batched tanh network this
	// kernel is on the critical path of every step.
	const grain = 1 << 15
	workers := min(runtime.GOMAXPROCS(0), len(x)/grain)
	if workers < 2 {
		tanh32(dst, x)
		return buf, nil
	}
	var wg sync.WaitGroup
	per := (len(x) + workers - 1) / workers
	for lo := 0; lo < len(x); lo += per {
		hi := min(len(x), lo+per)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tanh32(dst[lo:hi], x[lo:hi])
		}()
	}
	wg.Wait()
	return buf, nil
}

// tanh32 sets dst[i] = tanh(x[i]) by the odd rational approximation
// x·P(x²)/Q(x²) of degrees 13/6 on x clamped to [−9, 9] (the
// coefficients of Eigen's generic_fast_tanh_float), without branches, 8
// values at a time with AVX2 where the CPU has it (tanhAVX). Its
// largest error against math.Tanh is checked by TestTanh32. NaN stays NaN
// (Go's min and max propagate it).
func tanh32(dst, x []float32) {
	const (
		a1  = 4.89352455891786e-03
		a3  = 6.37261928875436e-04
		a5  = 1.48572235717979e-05
		a7  = 5.12229709037114e-08
		a9  = -8.60467152213735e-11
		a11 = 2.00018790482477e-13
		a13 = -2.76076847742355e-16
		b0  = 4.89352518554385e-03
		b2  = 2.26843463243900e-03
		b4  = 1.18534705686654e-04
		b6  = 1.19825839466702e-06
	)
	dst = dst[:len(x)]
	done := vecTanh(dst, x)
	dst, x = dst[done:], x[done:]
	for i, v := range x {
		c := min(max(v, -9), 9)
		x2 := c * c
		p := float32(a13)
		p = p*x2 + a11
		p = p*x2 + a9
		p = p*x2 + a7
		p = p*x2 + a5
		p = p*x2 + a3
		p = p*x2 + a1
		p *= c
		q := float32(b6)
		q = q*x2 + b4
		q = q*x2 + b2
		q = q*x2 + b0
		dst[i] = p / q
	}
}
