package mnist

import (
	"fmt"
	"io"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// BatchOptions configures a Batches source.
type BatchOptions struct {
	BatchSize int   // images per batch; must be positive
	Shuffle   bool  // order each epoch by Permutation(N, Seed, epoch stream); else in file order
	Seed      int64 // fixes the shuffled orders
	KeepLast  bool  // yield the last, smaller batch of an epoch instead of dropping it
}

// Batches yields a Set in batches: images [B, Rows, Cols] float32,
// normalised as in Float32Images, and labels [B] int32. It implements
// GoMLX's train.Dataset: Yield returns io.EOF at the end of an epoch and
// Reset starts the next epoch (GoMLX's Loop.RunEpochs calls Reset after each
// io.EOF), so epoch e is always ordered by (Seed, e) whatever came before.
// Next gives the same batches as plain slices. A Batches is not safe for
// concurrent use.
type Batches struct {
	name  string
	set   *Set
	opts  BatchOptions
	epoch int
	order []int // this epoch's order
	pos   int   // next index into order
}

// NewBatches returns a batch source over s named name, positioned at the
// start of epoch 0.
func NewBatches(name string, s *Set, opts BatchOptions) (*Batches, error) {
	if opts.BatchSize <= 0 {
		return nil, fmt.Errorf("mnist: batch size %d, want > 0", opts.BatchSize)
	}
	if s.N == 0 || (!opts.KeepLast && s.N < opts.BatchSize) {
		return nil, fmt.Errorf("mnist: %s: %d images make no batch of %d", name, s.N, opts.BatchSize)
	}
	b := &Batches{name: name, set: s, opts: opts}
	b.SetEpoch(0)
	return b, nil
}

// Name implements train.Dataset.
func (b *Batches) Name() string { return b.name }

// Epoch returns the epoch being yielded, counted from 0.
func (b *Batches) Epoch() int { return b.epoch }

// BatchesPerEpoch returns how many batches one epoch yields.
func (b *Batches) BatchesPerEpoch() int {
	n := b.set.N / b.opts.BatchSize
	if b.opts.KeepLast && b.set.N%b.opts.BatchSize != 0 {
		n++
	}
	return n
}

// SetEpoch positions b at the start of epoch e (used to resume training).
func (b *Batches) SetEpoch(e int) {
	b.epoch, b.pos = e, 0
	if b.opts.Shuffle {
		b.order = Permutation(b.set.N, b.opts.Seed, streamEpoch+uint64(e))
		return
	}
	if b.order == nil {
		b.order = make([]int, b.set.N)
		for i := range b.order {
			b.order[i] = i
		}
	}
}

// Reset implements train.Dataset. Once the current epoch has yielded a
// batch, Reset moves to the start of the next epoch (dropping what is left
// of the current one); before that it does nothing, so Resets that GoMLX
// makes before the first Yield keep epoch 0.
func (b *Batches) Reset() {
	if b.pos == 0 {
		return
	}
	b.SetEpoch(b.epoch + 1)
}

// nextIndices returns the indices of the next batch, or nil at the end of
// the epoch.
func (b *Batches) nextIndices() []int {
	rest := len(b.order) - b.pos
	n := min(rest, b.opts.BatchSize)
	if n == 0 || (n < b.opts.BatchSize && !b.opts.KeepLast) {
		b.pos = len(b.order)
		return nil
	}
	idx := b.order[b.pos : b.pos+n]
	b.pos += n
	return idx
}

// Yield implements train.Dataset. It returns (nil, [images], [labels], nil)
// or io.EOF at the end of the epoch. The tensors are filled in place, with
// no per-pixel allocation.
func (b *Batches) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	idx := b.nextIndices()
	if idx == nil {
		return nil, nil, nil, io.EOF
	}
	img := tensors.FromShape(shapes.Make(dtypes.Float32, len(idx), b.set.Rows, b.set.Cols))
	lab := tensors.FromShape(shapes.Make(dtypes.Int32, len(idx)))
	if err := tensors.MutableFlatData(img, func(flat []float32) { b.set.fillImages(flat, idx) }); err != nil {
		return nil, nil, nil, fmt.Errorf("mnist: %s: %w", b.name, err)
	}
	if err := tensors.MutableFlatData(lab, func(flat []int32) { b.set.fillLabels(flat, idx) }); err != nil {
		return nil, nil, nil, fmt.Errorf("mnist: %s: %w", b.name, err)
	}
	return nil, []*tensors.Tensor{img}, []*tensors.Tensor{lab}, nil
}

// Next returns the next batch as slices, images [B*Rows*Cols] and labels
// [B], or ok=false at the end of the epoch (then call Reset).
func (b *Batches) Next() (images []float32, labels []int32, ok bool) {
	idx := b.nextIndices()
	if idx == nil {
		return nil, nil, false
	}
	return b.set.Float32Images(idx), b.set.Int32Labels(idx), true
}

// Probe returns a fixed batch of n images of s for tracking gradients: the
// first n entries of Permutation(s.N, seed, probe stream), sorted. It
// returns the normalised images [n*Rows*Cols], the labels and the indices
// into s.
func Probe(s *Set, n int, seed int64) (images []float32, labels []int32, idx []int, err error) {
	if n <= 0 || n > s.N {
		return nil, nil, nil, fmt.Errorf("mnist: probe batch of %d from a set of %d images", n, s.N)
	}
	idx = slices.Clone(Permutation(s.N, seed, streamProbe)[:n])
	slices.Sort(idx)
	return s.Float32Images(idx), s.Int32Labels(idx), idx, nil
}
