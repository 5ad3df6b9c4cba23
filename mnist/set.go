package mnist

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Normalisation applied by Float32Images and the batch sources: the mean
// and standard deviation of the MNIST training pixels scaled to [0,1], as
// in the PyTorch MNIST example the paper follows. Fashion-MNIST uses the
// same constants so that runs on both sets share one input scale.
const (
	PixelMean = 0.1307
	PixelStd  = 0.3081
)

// normLUT maps a pixel byte to ((x/255)-PixelMean)/PixelStd.
var normLUT = func() (t [256]float32) {
	for i := range t {
		t[i] = float32((float64(i)/255 - PixelMean) / PixelStd)
	}
	return t
}()

// Normalize returns the normalised value of one pixel byte.
func Normalize(pixel uint8) float32 { return normLUT[pixel] }

// Set is a set of labelled images held as bytes.
type Set struct {
	Images     []uint8  // N*Rows*Cols pixels, row-major, one image after another
	Labels     []uint8  // N labels in 0..9
	N          int      // number of images
	Rows, Cols int      // image size: 28×28
	Files      []string // files the set was read from
}

// Pixels returns the Rows*Cols bytes of image i (a view, not a copy).
func (s *Set) Pixels(i int) []uint8 {
	d := s.Rows * s.Cols
	return s.Images[i*d : (i+1)*d : (i+1)*d]
}

// Float32Images returns the images idx as normalised float32,
// ((x/255)-PixelMean)/PixelStd, len(idx)*Rows*Cols values. A nil idx means
// every image in order.
func (s *Set) Float32Images(idx []int) []float32 {
	n := len(idx)
	if idx == nil {
		n = s.N
	}
	dst := make([]float32, n*s.Rows*s.Cols)
	s.fillImages(dst, idx)
	return dst
}

// Int32Labels returns the labels idx as int32; nil idx means all in order.
func (s *Set) Int32Labels(idx []int) []int32 {
	n := len(idx)
	if idx == nil {
		n = s.N
	}
	dst := make([]int32, n)
	s.fillLabels(dst, idx)
	return dst
}

// fillImages writes the normalised images idx (all if nil) into dst.
func (s *Set) fillImages(dst []float32, idx []int) {
	d := s.Rows * s.Cols
	if idx == nil {
		for i, p := range s.Images[:len(dst)] {
			dst[i] = normLUT[p]
		}
		return
	}
	for k, i := range idx {
		src := s.Images[i*d : (i+1)*d]
		out := dst[k*d : (k+1)*d]
		for j, p := range src {
			out[j] = normLUT[p]
		}
	}
}

func (s *Set) fillLabels(dst []int32, idx []int) {
	if idx == nil {
		for i := range dst {
			dst[i] = int32(s.Labels[i])
		}
		return
	}
	for k, i := range idx {
		dst[k] = int32(s.Labels[i])
	}
}

// Subset returns a new Set holding copies of the images idx, in that order.
func (s *Set) Subset(idx []int) *Set {
	d := s.Rows * s.Cols
	out := &Set{
		Images: make([]uint8, len(idx)*d),
		Labels: make([]uint8, len(idx)),
		N:      len(idx), Rows: s.Rows, Cols: s.Cols,
		Files: slices.Clone(s.Files),
	}
	for k, i := range idx {
		copy(out.Images[k*d:], s.Images[i*d:(i+1)*d])
		out.Labels[k] = s.Labels[i]
	}
	return out
}

// Permutation returns a permutation of 0..n-1 fixed by (seed, stream): a
// Fisher–Yates shuffle, i from n-1 down to 1 swapping i with j uniform in
// [0, i], drawn from math/rand/v2's PCG seeded with (seed, stream) by
// unbiased rejection sampling. The algorithm is written out here so that the
// order never changes with the Go version.
func Permutation(n int, seed int64, stream uint64) []int {
	rng := rand.NewPCG(uint64(seed), stream)
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(uniform(rng, uint64(i)+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// uniform returns a uniform integer in [0, bound) by rejecting the draws
// above the largest multiple of bound.
func uniform(rng *rand.PCG, bound uint64) uint64 {
	limit := -bound % bound // (2^64 - bound) mod bound: the biased remainder
	for {
		x := rng.Uint64()
		if x >= limit {
			return x % bound
		}
	}
}

// Streams of Permutation, one per use, so that the uses never share draws.
const (
	streamSplit   = 0x73706c6974 // "split": the partial-set train/eval split
	streamEpoch   = 0x65706f6368 // "epoch": batch order, plus the epoch number
	streamProbe   = 0x70726f6265 // "probe": the probe batch
	streamEvalCut = 0x6576616c   // "eval": a smaller eval set from the full test set
)

// splitPartial divides the 10,000 test images into train and eval: with
// p = Permutation(N, seed, streamSplit), eval is the last evalN entries of p
// and train the others, each sorted ascending.
func splitPartial(s *Set, seed int64, evalN int) (train, eval *Set, err error) {
	if evalN <= 0 || evalN >= s.N {
		return nil, nil, fmt.Errorf("mnist: cannot keep %d of %d images for evaluation", evalN, s.N)
	}
	p := Permutation(s.N, seed, streamSplit)
	tr, ev := slices.Clone(p[:s.N-evalN]), slices.Clone(p[s.N-evalN:])
	slices.Sort(tr)
	slices.Sort(ev)
	return s.Subset(tr), s.Subset(ev), nil
}
