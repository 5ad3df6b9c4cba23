package kernels

import "sync"

// A snapshot's analysis runs the kernels thousands of times (every scale of
// every layer, and every null draw), each with work buffers of up to a few
// MB: the pools below reuse them across calls instead of leaving them to
// the garbage collector. A buffer from take is zeroed, as a new one is.
var (
	float64s sync.Pool // *[]float64
	uint32s  sync.Pool // *[]uint32
	uint8s   sync.Pool // *[]uint8
)

// take returns a zeroed slice of n values from pool p, or a new one.
func take[T any](p *sync.Pool, n int) []T {
	if b, ok := p.Get().(*[]T); ok && cap(*b) >= n {
		s := (*b)[:n]
		clear(s)
		return s
	}
	return make([]T, n)
}

// give returns s to pool p; the caller no longer uses it.
func give[T any](p *sync.Pool, s []T) {
	if cap(s) > 0 {
		p.Put(&s)
	}
}
