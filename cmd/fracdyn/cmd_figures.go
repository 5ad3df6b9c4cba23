package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/fsutil"
)

func init() {
	c := &command{
		name:    "figures",
		args:    "RUN",
		summary: "draw every figure (Fig 1, Fig 2 left/right, Fig 3 left/right, attractors) of a run as PNG and SVG",
	}
	c.run = func(ctx context.Context, args []string) error { return runFigures(ctx, c, args) }
	register(c)
}

const figuresHelp = `
Writes into --out (default "figures"), once per format:

  fig1-segments              segments per matrix against r (log scale), paper sizes and more
  fig2-features-conv1|conv2  segment features ‖α‖ per neuron-channel (Fig 2 left)
  fig2-kernels               kernel interactions conv1→conv2 at γ = 0.1, 1, 10 (Fig 2 right)
  fig3-*                     phase flows: ‖∂L/∂W_seg‖ and its signed mean against L,
                             small multiples, dL/dt against d²L/dt² (Fig 3)
  attractors                 attractor classes per layer and λ per epoch window
  manifest.json              the run, preset, dataset and config each figure came from

Fig 2 uses the last snapshot unless --epoch says otherwise. The attractor
summary needs RUN/analysis/attractors.csv (written by "fracdyn analyze").
`

// manifest describes the figures written by "fracdyn figures".
type manifest struct {
	Run     string     `json:"run"`
	Preset  string     `json:"preset"`
	Arch    string     `json:"arch"`
	Dataset string     `json:"dataset"`
	Partial bool       `json:"partial_dataset"`
	Notes   []string   `json:"data_notes,omitempty"`
	Epoch   int        `json:"fig2_epoch"`
	Backend string     `json:"backend"`
	Written string     `json:"written"`
	Figures []string   `json:"figures"`
	Config  run.Config `json:"config"`
}

func runFigures(ctx context.Context, c *command, args []string) error {
	fs := newFlagSet(c)
	out := fs.String("out", "figures", "directory to write the figures into")
	epoch := fs.Int("epoch", -1, "snapshot epoch of Fig 2 (default: the last)")
	formats := fs.String("format", "png,svg", "file formats, comma-separated: png, svg, pdf")
	dataFree := fs.Bool("data-free", false, "leave the activation map A out of α in Fig 2")
	defaultUsage := fs.Usage
	fs.Usage = func() { defaultUsage(); fmt.Fprint(fs.Output(), figuresHelp) }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "one run directory"); err != nil {
		return err
	}
	var fmts []string
	for _, f := range strings.Split(*formats, ",") {
		switch f = strings.TrimSpace(f); f {
		case "png", "svg", "pdf":
			fmts = append(fmts, f)
		default:
			return usageErrorf("--format: %q is not png, svg or pdf", f)
		}
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", backend.Describe(b))
	m, err := writeFigures(ctx, pos[0], *out, *epoch, fmts, analysis.Options{Backend: b, DataFree: *dataFree})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d figures and manifest.json to %s\n", len(m.Figures), *out)
	return nil
}

// writeFigures draws every figure of the run in dir into out and writes
// out/manifest.json.
func writeFigures(ctx context.Context, dir, out string, epoch int, formats []string, opts analysis.Options) (*manifest, error) {
	r, err := run.Open(dir)
	if err != nil {
		return nil, err
	}
	if epoch < 0 {
		epochs, err := r.SnapshotEpochs()
		if err != nil {
			return nil, err
		}
		if len(epochs) == 0 {
			return nil, fmt.Errorf("run %s has no snapshots", dir)
		}
		epoch = epochs[len(epochs)-1]
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	m := &manifest{Run: dir, Preset: r.Config.Preset, Arch: r.Config.Arch, Dataset: r.Config.Dataset,
		Partial: r.Config.Data.Partial, Notes: r.Config.Data.Notes, Epoch: epoch, Backend: r.Config.Backend,
		Written: time.Now().UTC().Format(time.RFC3339), Config: r.Config}

	fig1, err := figure.SegmentCounts(figure.PaperMatrixSizes)
	if err != nil {
		return nil, err
	}
	for _, f := range formats {
		path := filepath.Join(out, "fig1-segments."+f)
		if err := figure.Save(fig1, path); err != nil {
			return nil, err
		}
		m.Figures = append(m.Figures, path)
	}
	if r.Config.Arch != "mlp" {
		paths, err := analysis.Fig2(ctx, dir, epoch, out, formats, opts)
		if err != nil {
			return nil, fmt.Errorf("Fig 2: %w", err)
		}
		m.Figures = append(m.Figures, paths...)
	}
	for _, f := range formats {
		paths, err := dynamics.WriteFigures(r, out, dynamics.FigureOptions{Format: f})
		if err != nil {
			return nil, fmt.Errorf("Fig 3: %w", err)
		}
		m.Figures = append(m.Figures, paths...)
	}
	for i, p := range m.Figures {
		m.Figures[i] = filepath.Base(p)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := fsutil.WriteFile(filepath.Join(out, "manifest.json"), append(data, '\n')); err != nil {
		return nil, err
	}
	return m, nil
}
