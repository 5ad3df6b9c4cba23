package backend

import (
	"reflect"
	"runtime"
	"sync"
	_ "unsafe" // go:linkname
	"weak"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// executor has the layout of simplego's (unexported) nodeExecutor type.
type executor func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, inputsOwned []bool) (*simplego.Buffer, error)

// simplegoExecutors is simplego's table of op executors (GoMLX v0.26.0,
// backends/simplego/exec.go: nodeExecutors). v0.26.0 has no public way to
// replace an op's kernel, so the wrapper reaches the table by linkname.
//
//go:linkname simplegoExecutors github.com/gomlx/gomlx/backends/simplego.nodeExecutors
var simplegoExecutors [backends.OpTypeLast]executor

// stockDotGeneral is simplego's own DotGeneral executor, used for what the
// fast kernel does not handle (dtypes other than float32), behind
// asleepWhileRunning: it waits on simplego's worker pool (pool.go).
var stockDotGeneral executor

// installDotGeneralKernel makes simplego run float32 DotGenerals with gemm:
// packed, register-blocked (6×16 AVX2/FMA micro-kernel), split over
// GOMAXPROCS goroutines, reading operands in place through offset tables
// instead of first transposing them to simplego's blocked layout.
func installDotGeneralKernel() {
	stock := simplegoExecutors[backends.OpTypeDotGeneral]
	if stock == nil {
		return // Layout changed: keep simplego's kernel.
	}
	stockDotGeneral = asleepWhileRunning(stock)
	simplegoExecutors[backends.OpTypeDotGeneral] = execDotGeneral
}

var registerKernels sync.Once

// dotPlan is the offset-table form of one DotGeneral node's operands.
type dotPlan struct {
	lhs, rhs operand
	out      shapes.Shape
}

// plans caches each DotGeneral node's plan for as long as the node (its
// compiled graph) lives: the key is weak and a cleanup drops the entry.
var (
	plansMu sync.Mutex
	plans   = map[weak.Pointer[simplego.Node]]*dotPlan{}
)

func execDotGeneral(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	lhsShape, err1 := backend.BufferShape(inputs[0])
	rhsShape, err2 := backend.BufferShape(inputs[1])
	if err1 != nil || err2 != nil || lhsShape.DType != dtypes.Float32 || rhsShape.DType != dtypes.Float32 {
		return stockDotGeneral(backend, node, inputs, owned)
	}
	plan := planFor(node, lhsShape, rhsShape)
	if plan == nil {
		return stockDotGeneral(backend, node, inputs, owned)
	}
	lhsData, _ := backend.BufferData(inputs[0])
	rhsData, _ := backend.BufferData(inputs[1])
	out := backend.NewBuffer(plan.out)
	outData, _ := backend.BufferData(out)
	lhs, rhs := plan.lhs, plan.rhs
	lhs.data, rhs.data = lhsData.([]float32), rhsData.([]float32)
	gemm(outData.([]float32), &lhs, &rhs, gemmWorkers)
	return out, nil
}

// planFor returns the cached plan of node, building it on first use; nil
// if the node's parameters cannot be read.
func planFor(node *simplego.Node, lhsShape, rhsShape shapes.Shape) *dotPlan {
	key := weak.Make(node)
	plansMu.Lock()
	defer plansMu.Unlock()
	if p, ok := plans[key]; ok {
		return p
	}
	axes, ok := readSimplegoDotAxes(node)
	if !ok {
		return nil
	}
	lhs := offsetTables(lhsShape, axes.lhsContracting, axes.lhsBatch)
	rhs := offsetTables(rhsShape, axes.rhsContracting, axes.rhsBatch)
	p := &dotPlan{lhs: lhs, rhs: rhs,
		out: shapes.Make(dtypes.Float32, len(lhs.batch), len(lhs.cross), len(rhs.cross))}
	plans[key] = p
	runtime.AddCleanup(node, func(key weak.Pointer[simplego.Node]) {
		plansMu.Lock()
		delete(plans, key)
		plansMu.Unlock()
	}, key)
	return p
}

// readSimplegoDotAxes reads the axes simplego keeps in the node's data
// (*dotGeneralNodeData in v0.26.0), by reflection, read-only.
func readSimplegoDotAxes(node *simplego.Node) (axes dotAxes, ok bool) {
	data, ok := simplegoNodeData(node)
	if !ok {
		return axes, false
	}
	return axesFromStruct(data)
}

// simplegoNodeData returns what a simplego node keeps in its data field
// (its op's parameters in v0.26.0), by reflection, read-only; ok is false
// where the field is missing, not an interface, or nil.
func simplegoNodeData(node *simplego.Node) (v reflect.Value, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	data := reflect.ValueOf(node).Elem().FieldByName("data")
	if !data.IsValid() || data.Kind() != reflect.Interface || data.IsNil() {
		return reflect.Value{}, false
	}
	return data.Elem(), true
}

// axesFromStruct reads the four []int axis fields shared by GoMLX's graph
// node inputs and simplego's node data.
func axesFromStruct(v reflect.Value) (axes dotAxes, ok bool) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var ok1, ok2, ok3, ok4 bool
	axes.lhsContracting, ok1 = intsField(v, "lhsContractingAxes")
	axes.lhsBatch, ok2 = intsField(v, "lhsBatchAxes")
	axes.rhsContracting, ok3 = intsField(v, "rhsContractingAxes")
	axes.rhsBatch, ok4 = intsField(v, "rhsBatchAxes")
	return axes, ok1 && ok2 && ok3 && ok4
}

// offsetTables describes a row-major array of shape by offset tables over
// its batch, cross (the remaining axes, in order) and contracting axes.
func offsetTables(shape shapes.Shape, contracting, batch []int) operand {
	dims := shape.Dimensions
	strides := make([]int, len(dims))
	s := 1
	for a := len(dims) - 1; a >= 0; a-- {
		strides[a] = s
		s *= dims[a]
	}
	cross := crossAxes(len(dims), contracting, batch)
	op := operand{
		batch:    table(dims, strides, batch),
		cross:    table(dims, strides, cross),
		contract: table(dims, strides, contracting),
	}
	op.strideK = constantStep(op.contract)
	return op
}

// table lists the offsets of all index combinations of axes, the last axis
// varying fastest.
func table(dims, strides, axes []int) []int {
	offs := []int{0}
	for _, a := range axes {
		next := make([]int, 0, len(offs)*dims[a])
		for _, o := range offs {
			for i := range dims[a] {
				next = append(next, o+i*strides[a])
			}
		}
		offs = next
	}
	return offs
}

// constantStep returns the common difference of offs, or 0 if it has none
// (a single offset counts as step 1).
func constantStep(offs []int) int {
	if len(offs) < 2 {
		return 1
	}
	step := offs[1] - offs[0]
	if step <= 0 {
		return 0
	}
	for i := 2; i < len(offs); i++ {
		if offs[i]-offs[i-1] != step {
			return 0
		}
	}
	return step
}
