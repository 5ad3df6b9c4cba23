package diagnose

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// TestGoMLXExportRoundTrip exports the fixture's weights to safetensors and
// npz (PyTorch layout) and checks that the files hold the canonical
// tensors, and that analyze-model's numbers on them equal those on the
// checkpoint, layer by layer.
// gomlxFixture is modelfile's GoMLX checkpoint fixture.
const gomlxFixture = "../modelfile/testdata/gomlx"

func TestGoMLXExportRoundTrip(t *testing.T) {
	m, err := modelfile.Open(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	opts := AnalyzeOptions{Scales: []int{2, 4, 8}, NullDraws: -1} // nulls hold NaNs, which DeepEqual never matches
	want, err := Analyze(context.Background(), m, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 4 {
		t.Fatalf("%d layers analysed, want 4 (two conv, two dense)", len(want))
	}
	for _, ext := range []string{".safetensors", ".npz"} {
		t.Run(ext, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "model"+ext)
			n, err := modelfile.ExportModel(out, m, map[string]string{"note": "test"})
			if err != nil {
				t.Fatal(err)
			}
			if n != 15 {
				t.Errorf("%d tensors exported, want the 15 model variables", n)
			}
			e, err := modelfile.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			for _, ti := range m.Tensors {
				if ti.Kind == weights.Skipped {
					if _, ok := e.Info(modelfile.ExportName(ti.Name)); ok {
						t.Errorf("%s exported, want left out", ti.Name)
					}
					continue
				}
				ei, ok := e.Info(modelfile.ExportName(ti.Name))
				cs := ti.CanonicalShape()
				if !ok || !slices.Equal(ei.Shape, cs) || ei.Kind != ti.Kind || !reflect.DeepEqual(ei.Matrices.MatrixView, ti.Matrices.MatrixView) ||
					ti.Kind.Segmented() && !ei.Layout.Canonical() {
					t.Errorf("%s: exported as %+v, want canonical shape %v kind %v matrices %v", ti.Name, ei, cs, ti.Kind, ti.Matrices)
					continue
				}
				a, _ := m.ReadCanonical(ti.Name)
				b, err := e.ReadFloat32(ei.Name)
				if err != nil || !slices.Equal(a, b) {
					t.Errorf("%s: exported values differ (%v)", ti.Name, err)
				}
			}
			got, err := Analyze(context.Background(), e, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d layers, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.Info.Name != modelfile.ExportName(w.Info.Name) {
					t.Errorf("layer %d: %s, want %s", i, g.Info.Name, modelfile.ExportName(w.Info.Name))
				}
				g.Info, w.Info = modelfile.TensorInfo{}, modelfile.TensorInfo{}
				if !reflect.DeepEqual(nanToZero(g), nanToZero(w)) {
					t.Errorf("layer %s: analysis differs:\n got %+v\nwant %+v", want[i].Info.Name, g, w)
				}
			}
		})
	}
	if _, err := modelfile.ExportModel(filepath.Join(t.TempDir(), "m.onnx"), m, nil); err == nil || !strings.Contains(err.Error(), "GoMLX checkpoint") {
		t.Errorf("ONNX export: %v, want a refusal naming the GoMLX checkpoint", err)
	}
}

// nanToZero returns rep with NaN floats replaced by a sentinel so that
// reflect.DeepEqual compares them as equal.
func nanToZero(rep LayerReport) LayerReport {
	var fix func(v reflect.Value)
	fix = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Float64:
			if math.IsNaN(v.Float()) {
				v.SetFloat(-12345)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Field(i).CanSet() {
					fix(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				fix(v.Index(i))
			}
		}
	}
	fix(reflect.ValueOf(&rep).Elem())
	return rep
}
