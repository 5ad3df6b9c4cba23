package notebook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/janpfeifer/gonb/gonbui"
)

// Output receives text, and outside GoNB every display, as HTML.
var Output io.Writer = os.Stdout

// inNotebook says whether displays go to GoNB (a variable for tests).
var inNotebook = func() bool { return gonbui.IsNotebook }

// Show draws fig (any figure.Figure: a figure function's result, or
// figure.NewPlot / figure.NewGrid around gonum plots) at its size as a PNG.
func Show(fig figure.Figure) {
	var buf bytes.Buffer
	if err := figure.Encode(&buf, fig, "png"); err != nil {
		panic(fmt.Errorf("notebook: %w", err))
	}
	showPNG(buf.Bytes(), "")
}

// ShowImage shows img as a PNG.
func ShowImage(img image.Image) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(fmt.Errorf("notebook: encoding an image: %w", err))
	}
	showPNG(buf.Bytes(), "")
}

// ShowHTML shows an HTML fragment.
func ShowHTML(h string) {
	if inNotebook() {
		gonbui.DisplayHTML(h)
		gonbui.Sync() // shown before the cell ends
		return
	}
	fmt.Fprintln(Output, h)
}

// ShowTable shows a table (Table).
func ShowTable(header []string, rows [][]string) { ShowHTML(Table(header, rows)) }

// Table renders a header and rows as an HTML table, every cell escaped.
func Table(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("<table><tr>")
	for _, h := range header {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// ShowFigureFile shows a PNG written by `fracdyn figures` (or any PNG) with
// a caption naming the run it came from, taken from the manifest.json next
// to it when there is one: "figures/fig1-segments.png, from the paper run
// runs/paper (preset paper, 50 epochs, partial MNIST)".
func ShowFigureFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("notebook: %w", err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("notebook: %s is not a PNG: %w", path, err)
	}
	caption := filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path))
	if from, err := manifestCaption(filepath.Join(filepath.Dir(path), "manifest.json")); err == nil {
		caption += ", " + from
	}
	showPNG(data, caption)
	return nil
}

// manifestCaption describes the run of a figures manifest.
func manifestCaption(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var m struct {
		Run     string     `json:"run"`
		Preset  string     `json:"preset"`
		Partial bool       `json:"partial_dataset"`
		Config  run.Config `json:"config"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return "from the " + describe(m.Preset, m.Run, m.Config.Epochs, m.Config.Dataset, m.Partial), nil
}

// Caption says which run r is, for a line under a figure drawn from it:
// "quick run runs/quick (preset quick, 5 epochs, partial MNIST)". A run
// inside $FRACDYN_REPO is named relative to it.
func Caption(r *run.Run) string {
	c := r.Config
	dir := r.Dir
	if repo := os.Getenv("FRACDYN_REPO"); repo != "" {
		if rel, err := filepath.Rel(repo, dir); err == nil && filepath.IsLocal(rel) {
			dir = rel
		}
	}
	return describe(c.Preset, dir, c.Epochs, c.Dataset, c.Data.Partial)
}

func describe(preset, dir string, epochs int, dataset string, partial bool) string {
	s := fmt.Sprintf("%s run %s (preset %s, %d epochs", preset, dir, preset, epochs)
	if partial {
		s += ", partial " + strings.ToUpper(dataset)
	}
	return s + ")"
}

// showPNG shows a PNG, with a caption line under it when caption is not "".
func showPNG(data []byte, caption string) {
	if inNotebook() {
		gonbui.DisplayPNG(data)
		if caption != "" {
			gonbui.DisplayHTML("<p><i>" + html.EscapeString(caption) + "</i></p>")
		}
		gonbui.Sync()
		return
	}
	fmt.Fprintf(Output, `<img src="data:image/png;base64,%s">`+"\n", base64.StdEncoding.EncodeToString(data))
	if caption != "" {
		fmt.Fprintf(Output, "<p><i>%s</i></p>\n", html.EscapeString(caption))
	}
}
