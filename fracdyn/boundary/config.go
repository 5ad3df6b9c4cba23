package boundary

import (
	"fmt"
	"math"
)

// Nonlinearity is the hidden layer's activation.
type Nonlinearity string

// The activations of the paper, each with gain √2.
const (
	NonlinearityTanh     Nonlinearity = "tanh"     // tanh(√2·z)
	NonlinearityRelu     Nonlinearity = "relu"     // √2·max(z, 0)
	NonlinearityIdentity Nonlinearity = "identity" // z
)

// PhaseSpace names the two hyperparameters on the grid's axes.
type PhaseSpace string

// The phase spaces of the paper.
const (
	// LearningRates: x is log₁₀ of the input layer's learning rate, y
	// log₁₀ of the output layer's.
	LearningRates PhaseSpace = "lr"
	// InitOffset: x is log₁₀ of an offset added to every input-layer
	// weight at initialisation, y log₁₀ of the learning rate of both
	// layers.
	InitOffset PhaseSpace = "init"
)

// Loss names the training objective.
type Loss string

// The objectives.
const (
	// MSE is the paper's: the mean squared error of the network on the
	// training set.
	MSE Loss = "mse"
	// Quadratic is the convex control: a loss that is a positive
	// semi-definite quadratic form in the parameters, separable by layer
	// (see the package documentation), whose trainability boundary is a
	// union of straight lines in log learning rates.
	Quadratic Loss = "quadratic"
)

// Window is a rectangle of the phase space in log₁₀ units: x (columns)
// from XMin to XMax, y (rows) from YMin to YMax, both ends included.
type Window struct {
	XMin, XMax, YMin, YMax float64
}

// String formats w as "xmin,xmax,ymin,ymax", the form ParseWindow reads.
func (w Window) String() string {
	return fmt.Sprintf("%g,%g,%g,%g", w.XMin, w.XMax, w.YMin, w.YMax)
}

// ParseWindow reads "xmin,xmax,ymin,ymax" (log₁₀ units).
func ParseWindow(s string) (Window, error) {
	var w Window
	n, err := fmt.Sscanf(s, "%g,%g,%g,%g", &w.XMin, &w.XMax, &w.YMin, &w.YMax)
	if err != nil || n != 4 {
		return Window{}, fmt.Errorf("window %q is not xmin,xmax,ymin,ymax", s)
	}
	return w, w.check()
}

func (w Window) check() error {
	for _, v := range []float64{w.XMin, w.XMax, w.YMin, w.YMax} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("window %v has a non-finite bound", w)
		}
	}
	if !(w.XMax > w.XMin) || !(w.YMax > w.YMin) {
		return fmt.Errorf("window %v is empty: it needs xmin < xmax and ymin < ymax", w)
	}
	return nil
}

// Zoom returns the window of the same centre-relative position scaled by
// 1/factor around the point (x, y): the new window has width and height
// divided by factor and is centred on (x, y).
func (w Window) Zoom(x, y, factor float64) Window {
	hw := (w.XMax - w.XMin) / factor / 2
	hh := (w.YMax - w.YMin) / factor / 2
	return Window{XMin: x - hw, XMax: x + hw, YMin: y - hh, YMax: y + hh}
}

// Axis returns the n log₁₀ values of an axis from lo to hi, ends included
// (one value, lo, for n = 1).
func Axis(lo, hi float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		if n > 1 {
			v[i] = lo + (hi-lo)*float64(i)/float64(n-1)
		} else {
			v[i] = lo
		}
	}
	return v
}

// Config is one experiment: a network, its data, its training, and the
// grid of hyperparameters it is trained at.
type Config struct {
	Width        int // hidden width = input dimension; the paper's 16
	Nonlinearity Nonlinearity
	Loss         Loss
	PhaseSpace   PhaseSpace
	// Minibatch is the number of training points drawn (with replacement,
	// the same draw for every grid point) for each step's gradient; 0
	// means full batch. The loss recorded is always the full-batch loss.
	Minibatch int
	// SingleDatapoint trains on one data point instead of as many as the
	// network has parameters.
	SingleDatapoint bool
	Steps           int    // gradient steps per network
	Resolution      int    // grid points per axis
	Window          Window // in log₁₀ units
	Seed            uint64 // data, initial weights and minibatch draws
	// Chunk is the number of grid points in one batch of the compiled
	// graph (the last chunk may be smaller); 0 means DefaultChunk. On the
	// pure-Go backend one chunk per core trains at a time.
	Chunk int
}

// DefaultChunk is the default number of networks in one batch, chosen for
// the pure-Go backend: at width 16 and 272 data points each [N, B, w]
// activation is 4.4 MB of float32, so a step's arrays stay in the caches;
// and it is odd, so that the row stride of W0 and of x·W0 (B·w floats) is
// an odd number of cache lines. With B = 256 those rows are 16 KiB apart,
// all in the same L1 set, and the products ran at half speed.
// Accelerators want larger batches: raise it with --chunk on XLA.
const DefaultChunk = 255

// Windows chosen for the defaults (see the package documentation).
var (
	// DefaultLRWindow spans the learning-rate plane of a width-16 tanh
	// network around its trainability boundary.
	DefaultLRWindow = Window{XMin: 1.5, XMax: 3.5, YMin: 1.8, YMax: 2.4}
	// DefaultInitWindow spans offset against learning rate.
	DefaultInitWindow = Window{XMin: -1, XMax: 1, YMin: 1.8, YMax: 2.4}
)

// DefaultConfig returns the paper's configuration (width 16, tanh, full
// batch, learning-rate plane) on a 64×64 grid of 500 steps.
func DefaultConfig() Config {
	return Config{Width: 16, Nonlinearity: NonlinearityTanh, Loss: MSE, PhaseSpace: LearningRates,
		Steps: 500, Resolution: 64, Window: DefaultLRWindow, Seed: 1}
}

// Check reports the first invalid field of c, naming it.
func (c Config) Check() error {
	switch c.Nonlinearity {
	case NonlinearityTanh, NonlinearityRelu, NonlinearityIdentity:
	default:
		return fmt.Errorf("nonlinearity %q is not tanh, relu or identity", c.Nonlinearity)
	}
	switch c.Loss {
	case MSE, Quadratic:
	default:
		return fmt.Errorf("loss %q is not mse or quadratic", c.Loss)
	}
	switch c.PhaseSpace {
	case LearningRates, InitOffset:
	default:
		return fmt.Errorf("phase space %q is not lr or init", c.PhaseSpace)
	}
	switch {
	case c.Width < 1:
		return fmt.Errorf("width %d is not positive", c.Width)
	case c.Minibatch < 0:
		return fmt.Errorf("minibatch %d is negative", c.Minibatch)
	case c.Steps < 2:
		return fmt.Errorf("steps %d: at least 2 are needed to score a run", c.Steps)
	case c.Resolution < 2:
		return fmt.Errorf("resolution %d: at least 2 grid points per axis are needed", c.Resolution)
	case c.Chunk < 0:
		return fmt.Errorf("chunk %d is negative", c.Chunk)
	}
	return c.Window.check()
}

// Params is the number of weights of the network: width² + width (no
// biases, one output).
func (c Config) Params() int { return c.Width*c.Width + c.Width }

// DataPoints is the training-set size: 1 for SingleDatapoint, else as many
// points as the network has parameters (the paper's ratio 1), except that
// the identity network, which is linear in its input, gets width points
// as in the paper's code.
func (c Config) DataPoints() int {
	switch {
	case c.SingleDatapoint:
		return 1
	case c.Nonlinearity == NonlinearityIdentity:
		return c.Width
	default:
		return c.Params()
	}
}

func (c Config) chunk() int {
	if c.Chunk > 0 {
		return c.Chunk
	}
	return DefaultChunk
}

// Hyperparameters returns, for the grid point at row i (y) and column j
// (x), the input-layer learning rate, the output-layer learning rate, and
// the input-layer weight offset.
func (c Config) Hyperparameters(i, j int) (lr0, lr1, offset float64) {
	x := Axis(c.Window.XMin, c.Window.XMax, c.Resolution)[j]
	y := Axis(c.Window.YMin, c.Window.YMax, c.Resolution)[i]
	if c.PhaseSpace == InitOffset {
		lr := math.Pow(10, y)
		return lr, lr, math.Pow(10, x)
	}
	return math.Pow(10, x), math.Pow(10, y), 0
}

// DefaultWindow returns the window of c's phase space used when none is
// given: DefaultInitWindow for InitOffset, else DefaultLRWindow.
func DefaultWindow(c Config) Window {
	if c.PhaseSpace == InitOffset {
		return DefaultInitWindow
	}
	return DefaultLRWindow
}
