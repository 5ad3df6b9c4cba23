package model

import (
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// Arch names one of the three networks fracdyn trains.
type Arch string

const (
	// PaperCNN is the paper's network: conv(1→32) → ReLU → conv(32→64) →
	// ReLU → flatten → dense(50,176→128) → ReLU → dense(128→10); both
	// convolutions 3×3, padding 1, stride 1.
	PaperCNN Arch = "cnn"
	// PooledCNN is PaperCNN with a 2×2 max-pool after each convolution's
	// ReLU, so the first dense layer has 64·7·7 = 3,136 inputs.
	PooledCNN Arch = "cnn-pool"
	// MLP is a dense network 784 → 256 → 128 → 10 with ReLUs.
	MLP Arch = "mlp"
)

// Archs lists the architectures in a fixed order.
func Archs() []Arch { return []Arch{PaperCNN, PooledCNN, MLP} }

// ParseArch returns the Arch named s (case and surrounding space ignored).
func ParseArch(s string) (Arch, error) {
	a := Arch(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Archs() {
		if a == known {
			return a, nil
		}
	}
	names := make([]string, 0, 3)
	for _, known := range Archs() {
		names = append(names, string(known))
	}
	return "", fmt.Errorf("unknown architecture %q (want one of %s)", s, strings.Join(names, ", "))
}

// Image side and number of classes of MNIST.
const (
	ImageSize  = 28
	NumClasses = 10
	// KernelSize is the side of every convolution kernel.
	KernelSize = 3
)

// Layers returns the layers of arch in forward order, in PyTorch layout
// (their Layout and Param are left empty: weights "conv1.weight" stored
// [out,in,kh,kw], "fc1.weight" [out,in]). Conv layers are 3×3, padding 1,
// stride 1; OutShape is the per-example output after the activation (and
// pooling). It panics on an unknown arch (use ParseArch on user input).
func Layers(arch Arch) []weights.Layer {
	conv := func(name string, in, out, side, prev int) weights.Layer {
		return weights.Layer{Name: name, Kind: weights.Conv, WeightShape: []int{out, in, KernelSize, KernelSize},
			BiasShape: []int{out}, OutShape: []int{out, side, side}, Prev: prev}
	}
	dense := func(name string, in, out, prev int) weights.Layer {
		return weights.Layer{Name: name, Kind: weights.Dense, WeightShape: []int{out, in},
			BiasShape: []int{out}, OutShape: []int{out}, Prev: prev}
	}
	switch arch {
	case PaperCNN:
		return []weights.Layer{
			conv("conv1", 1, 32, 28, -1),
			conv("conv2", 32, 64, 28, 0),
			dense("fc1", 64*28*28, 128, 1),
			dense("fc2", 128, NumClasses, 2),
		}
	case PooledCNN:
		return []weights.Layer{
			conv("conv1", 1, 32, 14, -1),
			conv("conv2", 32, 64, 7, 0),
			dense("fc1", 64*7*7, 128, 1),
			dense("fc2", 128, NumClasses, 2),
		}
	case MLP:
		return []weights.Layer{
			dense("fc1", ImageSize*ImageSize, 256, -1),
			dense("fc2", 256, 128, 0),
			dense("fc3", 128, NumClasses, 1),
		}
	}
	panic(fmt.Sprintf("model: unknown architecture %q", arch))
}

// StateName is the PyTorch state-dict name of a layer's parameter:
// StateName(layer, "weight") is "conv1.weight". part is "weight" or "bias".
func StateName(layer weights.Layer, part string) string { return layer.Name + "." + part }

// NumParams is the number of trainable scalars of arch.
func NumParams(arch Arch) int {
	n := 0
	for _, l := range Layers(arch) {
		n += prod(l.WeightShape) + prod(l.BiasShape)
	}
	return n
}

func prod(dims []int) int {
	p := 1
	for _, d := range dims {
		p *= d
	}
	return p
}
