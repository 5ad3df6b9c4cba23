package modelfile

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/onnx-gomlx/onnx"
)

// randomWeights returns PyTorch-initialised weights for arch from seed.
func randomWeights(arch model.Arch, seed uint64) map[string][]float32 {
	rng := rand.New(rand.NewPCG(seed, seed))
	w := map[string][]float32{}
	for _, l := range model.Layers(arch) {
		bound := 1 / math.Sqrt(float64(numel(l.WeightShape[1:])))
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			v := make([]float32, numel(p.shape))
			for i := range v {
				v[i] = float32((2*rng.Float64() - 1) * bound)
			}
			w[model.StateName(l, p.part)] = v
		}
	}
	return w
}

// testImages returns b pseudo-images [b,28,28] with MNIST-like statistics.
func testImages(b int) *tensors.Tensor {
	rng := rand.New(rand.NewPCG(9, 9))
	v := make([]float32, b*model.ImageSize*model.ImageSize)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, b, model.ImageSize, model.ImageSize)
}

func TestExportONNXRunsUnderOnnxGoMLX(t *testing.T) {
	archs := []model.Arch{model.MLP, model.PaperCNN}
	if !testing.Short() {
		archs = append(archs, model.PooledCNN)
	}
	be := backend.MustNew()
	images := testImages(3)
	for _, arch := range archs {
		t.Run(string(arch), func(t *testing.T) {
			weights := randomWeights(arch, 1)
			path := filepath.Join(t.TempDir(), "m.onnx")
			if err := ExportONNX(path, arch, weights); err != nil {
				t.Fatal(err)
			}

			// The initializers read back are the weights, bit for bit.
			m, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range weights {
				got, err := m.ReadFloat32(name)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("initializer %s differs from the exported weights", name)
				}
			}

			// fracdyn's own forward pass.
			ctx := context.New()
			if err := model.SetWeights(ctx, arch, weights); err != nil {
				t.Fatal(err)
			}
			want := context.MustExecOnce(be, ctx, func(ctx *context.Context, x *Node) *Node {
				logits, _ := model.Forward(ctx, arch, x)
				return logits
			}, images)

			// The exported file under onnx-gomlx.
			om, err := onnx.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			octx := context.New()
			if err := om.VariablesToContext(octx); err != nil {
				t.Fatal(err)
			}
			got := context.MustExecOnce(be, octx, func(ctx *context.Context, x *Node) *Node {
				return om.CallGraph(ctx, x.Graph(), map[string]*Node{"images": x}, "logits")[0]
			}, images)

			if !slices.Equal(got.Shape().Dimensions, []int{3, 10}) {
				t.Fatalf("onnx logits shape %v, want [3 10]", got.Shape())
			}
			g, w := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](want)
			for i := range w {
				if math.Abs(float64(g[i]-w[i])) > 1e-4*(1+math.Abs(float64(w[i]))) {
					t.Fatalf("logit %d: onnx-gomlx %.6g, model.Forward %.6g", i, g[i], w[i])
				}
			}
		})
	}
}

func TestONNXBadFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := ExportONNX(path, model.MLP, randomWeights(model.MLP, 1)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"truncated": b[:len(b)/2],
		"garbage":   []byte("this is not a protobuf \xff\xff\xff"),
	} {
		p := filepath.Join(t.TempDir(), name+".onnx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s", name, err, p)
		}
	}
	if err := ExportONNX(path, model.MLP, map[string][]float32{}); err == nil || !strings.Contains(err.Error(), "fc1.weight") {
		t.Errorf("missing weights: error %v, want one naming fc1.weight", err)
	}
}

func TestONNXFromTorch(t *testing.T) {
	m, err := Open("testdata/torch.onnx")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for name, want := range readExpected(t) {
		if n, ok := strings.CutPrefix(name, "onnx:"); ok {
			checkTensor(t, m, n, want)
		}
	}
	conv, _ := m.Info("conv.weight")
	fc, _ := m.Info("fc.weight")
	w, _ := m.Info("w")
	if conv.Kind != weights.Conv || conv.Matrices.String() != "8 × (3×3)" {
		t.Errorf("conv.weight: %v %v", conv.Kind, conv.Matrices)
	}
	if fc.Kind != weights.Dense || fc.Why != "" {
		t.Errorf("fc.weight (Gemm transB=1): %v %q", fc.Kind, fc.Why)
	}
	if w.Kind != weights.Dense || w.Layout != weights.IO || !strings.Contains(w.Why, "[in,out]") {
		t.Errorf("w (MatMul operand): %v %q, want a note on the [in,out] layout", w.Kind, w.Why)
	}
	// The MatMul operand is read transposed to [out,in]: the same matrix a
	// Gemm with transB=1 would store.
	stored, err := m.ReadFloat32("w")
	if err != nil {
		t.Fatal(err)
	}
	canon, err := m.ReadCanonical("w")
	if err != nil {
		t.Fatal(err)
	}
	in, out := w.Shape[0], w.Shape[1]
	for o := range out {
		for i := range in {
			if canon[o*in+i] != stored[i*out+o] {
				t.Fatalf("w canonical [%d,%d] = %v, stored [%d,%d] = %v", o, i, canon[o*in+i], i, o, stored[i*out+o])
			}
		}
	}
	if w.Matrices.String() != fmt.Sprintf("%d×%d", out, in) {
		t.Errorf("w read as %v, want %d×%d", w.Matrices, out, in)
	}
}
