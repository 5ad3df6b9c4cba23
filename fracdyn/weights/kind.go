package weights

import (
	"fmt"
	"strings"
)

// Kind says what a weight tensor is and whether it is segmented.
type Kind int

const (
	Dense     Kind = iota // fully connected weight; canonical [out,in]
	Conv                  // 2-D convolution kernel; canonical [out,in,kh,kw]
	Conv1D                // 1-D convolution kernel; canonical [out,in,k]
	Embedding             // [vocab,dim] lookup table, read as stored
	Norm                  // 1-D scale/shift/statistics of a normalisation layer
	Bias                  // 1-D additive bias
	Skipped               // anything else: integer buffers, gradients, optimizer state, scalars, rank ≥ 5
)

var kindNames = [...]string{"dense", "conv", "conv1d", "embedding", "norm", "bias", "skipped"}

// String returns the kind's name as config.json and the tables spell it:
// "dense", "conv", "conv1d", "embedding", "norm", "bias" or "skipped".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind returns the Kind named s (case and surrounding space ignored).
func ParseKind(s string) (Kind, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for i, n := range kindNames {
		if t == n {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown layer kind %q (want one of %s)", s, strings.Join(kindNames[:], ", "))
}

// MarshalText writes the kind's name, so JSON holds "conv" or "dense".
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("weights: invalid Kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name (ParseKind).
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Segmented reports whether tensors of kind k are cut into matrices.
func (k Kind) Segmented() bool { return k == Dense || k == Conv || k == Conv1D || k == Embedding }

// Rank returns the rank of a weight of kind k (2 for dense and embedding,
// 4 for conv, 3 for conv1d, 1 for norm and bias), 0 for Skipped.
func (k Kind) Rank() int {
	switch k {
	case Dense, Embedding:
		return 2
	case Conv:
		return 4
	case Conv1D:
		return 3
	case Norm, Bias:
		return 1
	}
	return 0
}
