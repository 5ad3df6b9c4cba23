package recorder

import (
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// activationNodes finds, in the forward graph fwd (the nodes the model
// function created, in creation order), each layer's activation map: the
// output of the layer's product (the Dot, DotGeneral or ConvGeneral that
// consumes its weight, through reshapes, transposes and dtype
// conversions), carried forward through the element-wise operations that
// follow it alone: the bias, an inference-mode normalisation, the
// activation function, a residual sum. The walk stops at the first
// operation that is not element-wise on that shape (pooling, a reshape, a
// reduction, the next layer's product) and returns the last node through
// which everything from the product passes. The result is nil for a layer
// whose weight the forward graph does not use this way. weight[i] is the
// node of layer i's weight in fwd's graph.
func activationNodes(fwd []*Node, weight []*Node) []*Node {
	pos := make(map[*Node]int, len(fwd))
	for i, n := range fwd {
		pos[n] = i
	}
	consumers := make(map[*Node][]*Node, len(fwd))
	for _, n := range fwd {
		for _, in := range n.Inputs() {
			consumers[in] = append(consumers[in], n)
		}
	}
	out := make([]*Node, len(weight))
	for i, w := range weight {
		if _, ok := pos[w]; !ok {
			continue
		}
		if z := product(w, consumers); z != nil {
			out[i] = followElementwise(fwd, pos[z], consumers)
		}
	}
	return out
}

// product returns the first Dot, DotGeneral or ConvGeneral reached from w
// through layout-only operations, or nil.
func product(w *Node, consumers map[*Node][]*Node) *Node {
	queue := []*Node{w}
	seen := map[*Node]bool{w: true}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, c := range consumers[n] {
			switch c.Type() {
			case NodeTypeDot, NodeTypeDotGeneral, NodeTypeConvGeneral:
				return c
			case NodeTypeReshape, NodeTypeTranspose, NodeTypeConvertDType, NodeTypeIdentity:
				if !seen[c] {
					seen[c] = true
					queue = append(queue, c)
				}
			}
		}
	}
	return nil
}

// elementwise are the operations the walk of followElementwise crosses
// when they keep the shape: arithmetic, comparisons, selections and the
// usual activation functions.
var elementwise = map[NodeType]bool{
	NodeTypeAdd: true, NodeTypeSub: true, NodeTypeMul: true, NodeTypeDiv: true, NodeTypeMax: true, NodeTypeMin: true,
	NodeTypePow: true, NodeTypeNeg: true, NodeTypeAbs: true, NodeTypeClamp: true, NodeTypeWhere: true,
	NodeTypeTanh: true, NodeTypeLogistic: true, NodeTypeExp: true, NodeTypeExpm1: true, NodeTypeLog: true,
	NodeTypeLog1p: true, NodeTypeErf: true, NodeTypeSqrt: true, NodeTypeRsqrt: true, NodeTypeSign: true,
	NodeTypeGreaterThan: true, NodeTypeGreaterOrEqual: true, NodeTypeLessThan: true, NodeTypeLessOrEqual: true,
	NodeTypeEqual: true, NodeTypeNotEqual: true, NodeTypeLogicalAnd: true, NodeTypeLogicalOr: true, NodeTypeLogicalNot: true,
	NodeTypeConvertDType: true, NodeTypeIdentity: true, NodeTypeReshape: true, NodeTypeBatchNormForInference: true,
}

// followElementwise walks forward from fwd[start] in creation order (a
// topological order). live holds the nodes whose value some later node
// still reads, each with its count of reads left; a node reading a live
// node must be element-wise on the start's shape, or the walk stops. When
// one node alone is live, every path from the start passes through it:
// it is the newest candidate.
func followElementwise(fwd []*Node, start int, consumers map[*Node][]*Node) *Node {
	z := fwd[start]
	dims := z.Shape().Dimensions
	live := map[*Node]int{z: len(consumers[z])}
	cand := z
	for _, n := range fwd[start+1:] {
		reads := false
		for _, in := range n.Inputs() {
			if _, ok := live[in]; ok {
				reads = true
			}
		}
		if !reads {
			continue
		}
		if !elementwise[n.Type()] || !slices.Equal(n.Shape().Dimensions, dims) {
			break
		}
		for _, in := range n.Inputs() {
			if left, ok := live[in]; ok {
				if left <= 1 {
					delete(live, in)
				} else {
					live[in] = left - 1
				}
			}
		}
		live[n] = len(consumers[n])
		if len(live) == 1 && n.DType() != dtypes.Bool {
			cand = n
		}
	}
	return cand
}

// activationMean returns the probe-batch mean of the activation node a of
// layer l as float32 in l's canonical output order, and that order's
// shape ([C,H,W] or [N]); nil when a's shape does not fit the layer (a
// dense layer applied to more than one axis, a convolution whose channel
// axis its layout does not tell).
func activationMean(l weights.Layer, a *Node) (*Node, []int) {
	d := a.Shape().Dimensions
	out := l.WeightShape[0]
	m := func() *Node { return ReduceMean(ConvertDType(a, dtypes.Float32), 0) }
	switch {
	case l.Kind == weights.Dense && len(d) == 2 && d[1] == out:
		return m(), []int{out}
	case l.Kind == weights.Conv && len(d) == 4:
		last := l.StoredLayout() == weights.HWIO
		if last && d[3] == out {
			return TransposeAllDims(m(), 2, 0, 1), []int{out, d[1], d[2]}
		}
		if !last && d[1] == out {
			return m(), []int{out, d[2], d[3]}
		}
	}
	return nil, nil
}
