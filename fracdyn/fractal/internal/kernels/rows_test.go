package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMaskRow2MatchesGo holds MaskRow2 (the AVX2 kernel where the CPU has
// it) to maskRow2Go: the same planes, gathered patterns, count below and
// non-finite flag, for every length mod 8.
func TestMaskRow2MatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	src := make([]float32, 1003)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
	}
	src[500] = float32(math.Inf(1))
	lo, hi := AbsBits(0.6), AbsBits(0.7)
	for _, n := range []int{1003, 1000, 999, 8, 7, 1, 0} {
		for _, b := range [][2]uint32{{lo, hi}, {0, hi}, {lo, lo}} {
			ph, pi := make([]uint8, n/8+1), make([]uint8, n/8+1)
			qh, qi := make([]uint8, n/8+1), make([]uint8, n/8+1)
			got, gb, gf := MaskRow2(ph, pi, src[:n], b[0], b[1], []uint32{7})
			want, wb, wf := maskRow2Go(qh, qi, src[:n], b[0], b[1], []uint32{7})
			if !slices.Equal(got, want) || gb != wb || gf>>31 != wf>>31 || !slices.Equal(ph, qh) || !slices.Equal(pi, qi) {
				t.Fatalf("n=%d bracket %v: (%d gathered, below %d, flag %v), Go (%d, %d, %v)", n, b, len(got), gb, gf>>31, len(want), wb, wf>>31)
			}
		}
	}
}

// TestResolveRowsMatchesGo holds ResolveRows (PDEP where the CPU has it) to
// resolveRowsGo on random planes and on/off bits.
func TestResolveRowsMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	const rows, stride, words = 5, 3*8 + 9, 3
	hiP, inP := make([]uint8, rows*stride), make([]uint8, rows*stride)
	for i := range hiP {
		hiP[i], inP[i] = uint8(rng.Uint32()), uint8(rng.Uint32())&uint8(rng.Uint32())
	}
	ge := make([]uint64, 10)
	for i := range ge[:9] {
		ge[i] = rng.Uint64()
	}
	got, want := make([]uint8, rows*stride), make([]uint8, rows*stride)
	for _, p := range []int{0, 5, 63, 64, 130} {
		pg := ResolveRows(got, hiP, inP, rows, stride, words, ge, p)
		pw := resolveRowsGo(want, hiP, inP, rows, stride, words, ge, p)
		if pg != pw || !slices.Equal(got, want) {
			t.Fatalf("p=%d: next p %d, Go %d; rows equal %v", p, pg, pw, slices.Equal(got, want))
		}
	}
}
