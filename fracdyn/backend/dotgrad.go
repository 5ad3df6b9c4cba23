package backend

import (
	"reflect"
	"slices"
	"sync"

	"github.com/gomlx/gomlx/backends"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// stockDotGeneralVJP is GoMLX's own DotGeneral gradient, kept as the fallback
// for nodes whose axes cannot be read and restored when the opt-in is undone.
var stockDotGeneralVJP = VJPRegistration[NodeTypeDotGeneral]

var (
	dotGradMu      sync.Mutex
	dotGradEnabled bool
)

// EnableDotGeneralGradient opts the process into the wrapper's DotGeneral
// gradient (below) if b is the pure-Go backend returned by New or
// NewWithConfig, and reports whether it is in effect. Any other backend
// (XLA, a bare simplego) leaves GoMLX's own gradient in place.
//
// GoMLX keeps gradients in one process-wide table
// (graph.VJPRegistration), so once enabled, every graph built afterwards
// in the process gets it, on every backend, including graphs of a user's
// own model. fracdyn's own training (run.Train, gcn.Fit's GoMLX engine,
// bench.NewTrainer) enables it; the recorder, which trains the user's
// model, does not. It is the same gradient up to float rounding, so only
// the last bits of the numbers and the memory (see below) differ.
func EnableDotGeneralGradient(b backends.Backend) bool {
	if _, ok := b.(*goBackend); !ok {
		return DotGeneralGradientEnabled()
	}
	setDotGeneralGradient(true)
	return true
}

// DotGeneralGradientEnabled reports whether EnableDotGeneralGradient has
// replaced GoMLX's DotGeneral gradient in this process.
func DotGeneralGradientEnabled() bool {
	dotGradMu.Lock()
	defer dotGradMu.Unlock()
	return dotGradEnabled
}

// setDotGeneralGradient installs (on) or removes (!on) the replacement.
//
// GoMLX v0.26.0 computes the gradient of out = DotGeneral(lhs, rhs) by
// broadcasting v (the output gradient) and the other operand to a common
// [batch, lhsCross, rhsCross, contracting] shape, multiplying, and summing
// away a cross axis: for fc1 of the paper CNN that is 64×128×50,176 floats
// (1.6 GB) per operand. Here each operand's gradient is one DotGeneral, the
// textbook form: with C the contracting, X the cross and B the batch axes,
//
//	∂lhs = DotGeneral(v, rhs) contracting rhsX, batch B → [B, lhsX, rhsC]
//	∂rhs = DotGeneral(v, lhs) contracting lhsX, batch B → [B, rhsX, lhsC]
//
// each then transposed back to its operand's axis order. It is the same
// gradient (to float rounding) for any backend.
func setDotGeneralGradient(on bool) {
	dotGradMu.Lock()
	defer dotGradMu.Unlock()
	if on {
		VJPRegistration[NodeTypeDotGeneral] = dotGeneralVJP
	} else {
		VJPRegistration[NodeTypeDotGeneral] = stockDotGeneralVJP
	}
	dotGradEnabled = on
}

// dotAxes are the axes of a DotGeneral node.
type dotAxes struct {
	lhsContracting, lhsBatch, rhsContracting, rhsBatch []int
}

// readDotAxes reads the axes of a DotGeneral node. GoMLX v0.26.0 keeps them
// in the unexported node.inputs (*nodeInputsDotGeneral); reflect can read,
// never write, unexported fields. ok is false if the layout changed.
func readDotAxes(node *Node) (axes dotAxes, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	inputs := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !inputs.IsValid() || inputs.Kind() != reflect.Interface || inputs.IsNil() {
		return axes, false
	}
	return axesFromStruct(inputs.Elem())
}

// crossAxes lists the axes of a rank-r operand that are neither contracting
// nor batch, in order.
func crossAxes(rank int, contracting, batch []int) []int {
	var cross []int
	for a := range rank {
		if !slices.Contains(contracting, a) && !slices.Contains(batch, a) {
			cross = append(cross, a)
		}
	}
	return cross
}

func dotGeneralVJP(node *Node, vs []*Node, outputShape shapes.Shape) []*Node {
	axes, ok := readDotAxes(node)
	if !ok || len(vs) != 1 || !vs[0].Shape().Equal(node.Shape()) {
		return stockDotGeneralVJP(node, vs, outputShape)
	}
	v := vs[0]
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	lhsX := crossAxes(lhs.Rank(), axes.lhsContracting, axes.lhsBatch)
	rhsX := crossAxes(rhs.Rank(), axes.rhsContracting, axes.rhsBatch)
	nb := len(axes.lhsBatch)
	// Axes of v: [batch (nb), lhs cross, rhs cross].
	vBatch := iota(0, nb)
	vLhsX := iota(nb, len(lhsX))
	vRhsX := iota(nb+len(lhsX), len(rhsX))
	return []*Node{
		operandGrad(v, vBatch, vRhsX, vLhsX, rhs, axes.rhsBatch, rhsX, axes.rhsContracting,
			lhs.Shape(), axes.lhsBatch, lhsX, axes.lhsContracting),
		operandGrad(v, vBatch, vLhsX, vRhsX, lhs, axes.lhsBatch, lhsX, axes.lhsContracting,
			rhs.Shape(), axes.rhsBatch, rhsX, axes.rhsContracting),
	}
}

// operandGrad is the gradient of one operand ("this") given v and the other
// operand: v contracted with other over other's cross axes (vOtherX in v),
// batched over the batch axes. The result's axes are [batch, thisX,
// otherC] or, with other first, [batch, otherC, thisX]; the order is chosen
// so that the final transpose is the identity when this is laid out as
// [batch, X, C] or [batch, C, X] (a dense weight in PyTorch layout, say).
func operandGrad(v *Node, vBatch, vOtherX, vThisX []int,
	other *Node, otherB, otherX, otherC []int,
	this shapes.Shape, thisB, thisX, thisC []int) *Node {
	// DotGeneral returns other's leftover axes (its contracting ones) in
	// ascending order; cOrder is the axis of this paired with each.
	cOrder := make([]int, 0, len(otherC))
	for a := range other.Rank() {
		if i := slices.Index(otherC, a); i >= 0 {
			cOrder = append(cOrder, thisC[i])
		}
	}
	// Axis of this for each axis of [batch, thisX, C] (v first) and
	// [batch, C, thisX] (other first).
	vFirst := slices.Concat(thisB, thisX, cOrder)
	otherFirst := slices.Concat(thisB, cOrder, thisX)
	var g *Node
	var order []int
	if isIdentity(otherFirst) && !isIdentity(vFirst) {
		g = DotGeneral(other, otherX, otherB, v, vOtherX, vBatch)
		order = otherFirst
	} else {
		g = DotGeneral(v, vOtherX, vBatch, other, otherX, otherB)
		order = vFirst
	}
	if isIdentity(order) {
		return g
	}
	perm := make([]int, len(order)) // perm[axis of this] = axis of g.
	for gAxis, thisAxis := range order {
		perm[thisAxis] = gAxis
	}
	g = TransposeAllAxes(g, perm...)
	if !g.Shape().Equal(this) {
		panic("backend: DotGeneral gradient shape " + g.Shape().String() + " != operand " + this.String())
	}
	return g
}

func isIdentity(p []int) bool {
	for i, a := range p {
		if i != a {
			return false
		}
	}
	return true
}

func iota(start, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = start + i
	}
	return s
}
