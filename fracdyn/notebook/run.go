package notebook

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/progress"
	"github.com/gomlx/gomlx/backends"
)

// Settings are the parameters the notebooks share. FromEnv reads them from
// the environment (notebooks/run.sh sets it); a notebook may change them.
type Settings struct {
	Preset        string // training preset: quick | paper ($FRACDYN_PRESET, default quick)
	RunDir        string // the shared run ($FRACDYN_RUN, default <repo>/runs/<preset>)
	DataDir       string // MNIST IDX files ($FRACDYN_DATA; "" searches mnist's places)
	BackendConfig string // go | xla:cpu | xla:cuda ($GOMLX_BACKEND, default go)
	Download      bool   // fetch missing MNIST files ($FRACDYN_DOWNLOAD=1)
	// Set overrides the preset's hyperparameters when Run trains, as
	// `fracdyn train --set` does: "arch=mlp;epochs=3".
	Set          string
	Repo         string // the repository ($FRACDYN_REPO, default ".." of the notebook)
	Figures      string // the paper run's committed figures: <repo>/figures
	QuickFigures string // the quick run's committed figures: <repo>/figures/quick
}

// FromEnv returns the Settings of the environment, with the defaults above.
func FromEnv() Settings {
	s := Settings{
		Preset:        env("FRACDYN_PRESET", "quick"),
		DataDir:       os.Getenv("FRACDYN_DATA"),
		BackendConfig: env("GOMLX_BACKEND", "go"),
		Download:      os.Getenv("FRACDYN_DOWNLOAD") == "1",
		Repo:          env("FRACDYN_REPO", ".."),
	}
	s.RunDir = env("FRACDYN_RUN", filepath.Join(s.Repo, "runs", s.Preset))
	s.Figures = filepath.Join(s.Repo, "figures")
	s.QuickFigures = filepath.Join(s.Figures, "quick")
	return s
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// Backend returns the GoMLX backend of s.BackendConfig.
func (s Settings) Backend() (backends.Backend, error) { return backend.NewWithConfig(s.BackendConfig) }

// Run returns the finished run in s.RunDir. When there is none, or it
// stopped early, it trains it with s.Preset (resuming what is there) with
// a live progress bar; interrupting the kernel stops at a step boundary.
func (s Settings) Run() (*run.Run, error) {
	if r, ok := Finished(s.RunDir); ok {
		fmt.Fprintf(Output, "reusing the finished %s\n", Caption(r))
		return r, nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	params, err := run.NewContext(s.Preset)
	if err != nil {
		return nil, err
	}
	if s.Set != "" {
		if err := run.SetParams(params, s.Set); err != nil {
			return nil, err
		}
	}
	data, err := run.LoadData(ctx, params, s.DataDir, s.Download, Output)
	if err != nil {
		return nil, err
	}
	b, err := s.Backend()
	if err != nil {
		return nil, err
	}
	return run.Train(ctx, run.Options{Out: s.RunDir, Params: params, Data: data, Backend: b, Log: Output})
}

// Finished opens the run in dir and says whether every epoch it was
// configured for is done.
func Finished(dir string) (*run.Run, bool) {
	r, err := run.Open(dir)
	if err != nil {
		return nil, false
	}
	stats, err := r.EpochStats()
	return r, err == nil && len(stats) >= r.Config.Epochs
}

// Reporter shows how far a piece of work has come (boundary.Zoom and other
// long calls take one).
type Reporter = progress.Reporter

// Progress returns a Reporter for total units of work: a live HTML bar in
// GoNB, plain lines on Output elsewhere. Call Done at the end.
func Progress(title string, total int, unit string) Reporter {
	return progress.New(Output, progress.Options{Title: title, Total: total, Unit: unit})
}
