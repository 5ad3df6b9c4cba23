package run

import (
	gocontext "context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// TestRunFilesOfWrongKind gives a run directory files of the right format
// but the wrong content: a snapshot weight of another shape, a series of
// float64 instead of float32, a config whose layer has a 3-D weight, a
// steps.csv whose epoch is not a whole number. Each read fails naming the
// file and what is wrong.
func TestRunFilesOfWrongKind(t *testing.T) {
	opts := testParams(t, "")
	if _, err := Train(gocontext.Background(), opts); err != nil {
		t.Fatal(err)
	}
	good := opts.Out
	for _, tc := range []struct {
		name    string
		breakIt func(t *testing.T, dir string)
		read    func(r *Run) error
		want    []string
	}{
		{"snapshot weight of another shape", func(t *testing.T, dir string) {
			path := filepath.Join(dir, SnapshotsDir, "epoch-001.npz")
			names, arrays, err := arrayio.ReadNPZ(path)
			if err != nil {
				t.Fatal(err)
			}
			w := arrays["fc2.weight"]
			arrays["fc2.weight"] = arrayio.FromFloat32(w.Float32s(), w.Shape[1], w.Shape[0])
			if err := arrayio.WriteNPZ(path, names, arrays); err != nil {
				t.Fatal(err)
			}
		}, func(r *Run) error { _, err := r.Snapshot(1); return err }, []string{"epoch-001.npz", "fc2.weight", "[256 128]"}},
		{"float64 series", func(t *testing.T, dir string) {
			path := filepath.Join(dir, SegmentsFile)
			a, err := arrayio.ReadNPY(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := arrayio.WriteNPY(path, arrayio.FromFloat64(a.Float64s(), a.Shape...)); err != nil {
				t.Fatal(err)
			}
		}, func(r *Run) error { _, _, err := r.TrackedSegments(); return err }, []string{SegmentsFile, "float64"}},
		{"3-D dense weight in config", func(t *testing.T, dir string) {
			path := filepath.Join(dir, ConfigFile)
			b, _ := os.ReadFile(path)
			b = []byte(strings.Replace(string(b), `"weight_shape": [
        128,`, `"weight_shape": [
        128, 2,`, 1))
			os.WriteFile(path, b, 0o644)
		}, nil, []string{ConfigFile, `layer "fc2"`, "[128 2 256]"}},
		{"fractional epoch in steps.csv", func(t *testing.T, dir string) {
			path := filepath.Join(dir, StepsFile)
			b, _ := os.ReadFile(path)
			os.WriteFile(path, []byte(strings.Replace(string(b), "\n1,1,", "\n1.5,1,", 1)), 0o644)
		}, func(r *Run) error { _, err := r.Steps(); return err }, []string{StepsFile, "line 2", "1.5 is not a whole number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.CopyRun(t, good)
			tc.breakIt(t, dir)
			r, err := Open(dir)
			if err == nil && tc.read != nil {
				err = tc.read(r)
			}
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("got %v, want an error containing %q", err, w)
				}
			}
		})
	}
}
