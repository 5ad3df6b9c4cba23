package notebook

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// capture sends displays to a buffer for the duration of a test.
func capture(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	old := Output
	Output = &buf
	t.Cleanup(func() { Output = old })
	return &buf
}

var imgTag = regexp.MustCompile(`<img src="data:image/png;base64,([A-Za-z0-9+/=]+)">`)

// decodePNGs returns the images shown in out.
func decodePNGs(t *testing.T, out string) []image.Image {
	var imgs []image.Image
	for _, m := range imgTag.FindAllStringSubmatch(out, -1) {
		b, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	return imgs
}

// TestShow: a figure is shown as one PNG of the figure's size (6×4 inches
// at 96 dpi), a grid as one PNG of the grid's.
func TestShow(t *testing.T) {
	buf := capture(t)
	fig, err := figure.SegmentCounts([][2]int{{12, 20}})
	if err != nil {
		t.Fatal(err)
	}
	Show(fig)
	grid := figure.NewGrid([][]*plot.Plot{{fig.Plot, fig.Plot}})
	Show(grid)
	imgs := decodePNGs(t, buf.String())
	if len(imgs) != 2 {
		t.Fatalf("%d images shown, want 2:\n%.200s", len(imgs), buf.String())
	}
	for i, want := range []image.Point{{576, 384}, {1152, 384}} {
		if got := imgs[i].Bounds().Size(); got != want {
			t.Errorf("image %d is %v, want %v", i, got, want)
		}
	}
}

func TestShowImage(t *testing.T) {
	buf := capture(t)
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	img.SetGray(2, 1, color.Gray{Y: 200})
	ShowImage(img)
	got := decodePNGs(t, buf.String())
	if len(got) != 1 || got[0].Bounds().Size() != (image.Point{3, 2}) {
		t.Fatalf("shown %v", got)
	}
	if r, _, _, _ := got[0].At(2, 1).RGBA(); r>>8 != 200 {
		t.Errorf("pixel (2,1) = %d, want 200", r>>8)
	}
}

func TestTable(t *testing.T) {
	got := Table([]string{"a", "b<"}, [][]string{{"1", "x & y"}})
	want := "<table><tr><th>a</th><th>b&lt;</th></tr><tr><td>1</td><td>x &amp; y</td></tr></table>"
	if got != want {
		t.Errorf("Table = %s\nwant    %s", got, want)
	}
	buf := capture(t)
	ShowTable([]string{"a"}, nil)
	if buf.String() != "<table><tr><th>a</th></tr></table>\n" {
		t.Errorf("ShowTable wrote %q", buf.String())
	}
}

// TestShowFigureFile: a committed figure is shown with the run its
// manifest names; without a manifest with its path only; a file that is
// not a PNG is an error naming it.
func TestShowFigureFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "figures")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
	path := filepath.Join(dir, "fig1.png")
	os.WriteFile(path, b.Bytes(), 0o644)
	buf := capture(t)
	if err := ShowFigureFile(path); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "<p><i>figures/fig1.png</i></p>\n") || len(decodePNGs(t, buf.String())) != 1 {
		t.Errorf("without a manifest: %q", buf.String())
	}
	manifest := `{"run": "runs/paper", "preset": "paper", "partial_dataset": true, "config": {"epochs": 50, "dataset": "mnist"}}`
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644)
	buf.Reset()
	if err := ShowFigureFile(path); err != nil {
		t.Fatal(err)
	}
	want := "<p><i>figures/fig1.png, from the paper run runs/paper (preset paper, 50 epochs, partial MNIST)</i></p>\n"
	if !strings.HasSuffix(buf.String(), want) {
		t.Errorf("with a manifest: %q, want it to end in %q", buf.String(), want)
	}
	os.WriteFile(path, []byte("not a png"), 0o644)
	if err := ShowFigureFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("not a PNG: err %v", err)
	}
	if err := ShowFigureFile(filepath.Join(dir, "missing.png")); err == nil {
		t.Error("missing file: no error")
	}
}

// TestLive: each update replaces the block; outside GoNB it is written in
// full, figures side by side on one line.
func TestLive(t *testing.T) {
	buf := capture(t)
	l := NewLive("<i>waiting</i>")
	fig, err := figure.SegmentCounts([][2]int{{12, 20}})
	if err != nil {
		t.Fatal(err)
	}
	small := &figure.Plot{Plot: fig.Plot, W: 2 * vg.Inch, H: 1 * vg.Inch}
	if err := l.Show(fig, small); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || lines[0] != "<i>waiting</i>" {
		t.Fatalf("live block wrote %d lines, first %.40q", len(lines), lines[0])
	}
	imgs := decodePNGs(t, lines[1])
	if len(imgs) != 2 || imgs[1].Bounds().Size() != (image.Point{192, 96}) {
		t.Errorf("second update shows %d images (%v)", len(imgs), imgs)
	}
}
