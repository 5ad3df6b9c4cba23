package run

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Hyperparameters are GoMLX context parameters (context.SetParam, read with
// context.GetParamOr). The defaults are the paper's; a Preset replaces some,
// and the CLI's --set "key=value;key=value" or its flags override any.
const (
	// ParamArch names the model: "cnn" (the paper's CNN, default),
	// "cnn-pool" or "mlp" (see fracdyn/model).
	ParamArch = "arch"
	// ParamDataset is "mnist" (default) or "fashion-mnist".
	ParamDataset = "dataset"
	// ParamEpochs is the number of epochs to train (default 50, the paper's).
	ParamEpochs = "epochs"
	// ParamBatchSize is the number of images per step (default 64).
	ParamBatchSize = "batch_size"
	// ParamLearningRate is Adam's learning rate (default 6e-4, the paper's);
	// the same key as GoMLX's optimizers.ParamLearningRate.
	ParamLearningRate = "learning_rate"
	// ParamAdamBeta1, ParamAdamBeta2 and ParamAdamEpsilon are Adam's β1 (0.9),
	// β2 (0.999) and ε (1e-8), PyTorch's defaults.
	ParamAdamBeta1   = "adam_beta1"
	ParamAdamBeta2   = "adam_beta2"
	ParamAdamEpsilon = "adam_epsilon"
	// ParamEpochImages is the number of training images one epoch visits
	// (default 0: the whole training set). Each epoch draws its images
	// afresh from the training set in the order seeded by (seed, epoch).
	ParamEpochImages = "epoch_images"
	// ParamEvalImages is the number of held-out images evaluated after
	// each epoch (0: all of the held-out set). When only the 10k MNIST
	// test files are present it is also the size of the held-out split.
	ParamEvalImages = "eval_images"
	// ParamProbeSize is the number of training images in the fixed probe
	// batch whose loss gradients every snapshot stores (default 64).
	ParamProbeSize = "probe_size"
	// ParamSeed seeds initialisation, data order, probe choice and the
	// tracked-segment sample (default 1).
	ParamSeed = "seed"
	// ParamTrack is "default" (every segment of conv1, a seeded sample of
	// ParamTrackSample segments of each other layer) or "all".
	ParamTrack = "track"
	// ParamTrackR is the segment size r of the tracked segments (default 2).
	ParamTrackR = "track_r"
	// ParamTrackSample is the sample size per layer for ParamTrack "default"
	// (default 256).
	ParamTrackSample = "track_sample"
)

// Defaults returns every hyperparameter with its default value (the paper's
// setup) and its type, which --set parses values into.
func Defaults() map[string]any {
	return map[string]any{
		ParamArch:         "cnn",
		ParamDataset:      "mnist",
		ParamEpochs:       50,
		ParamBatchSize:    64,
		ParamLearningRate: 6e-4,
		ParamAdamBeta1:    0.9,
		ParamAdamBeta2:    0.999,
		ParamAdamEpsilon:  1e-8,
		ParamEpochImages:  0,
		ParamEvalImages:   0,
		ParamProbeSize:    64,
		ParamSeed:         1,
		ParamTrack:        "default",
		ParamTrackR:       2,
		ParamTrackSample:  256,
	}
}

// Preset is a named set of hyperparameters over the defaults.
type Preset struct {
	Name    string
	Summary string
	Params  map[string]any
}

// QuickEpochImages and QuickEvalImages size the quick preset so that it runs
// in minutes on two CPU cores with the pure-Go backend; see Presets.
const (
	QuickEpochs      = 5
	QuickEpochImages = 2560 // 40 steps of 64
	QuickEvalImages  = 2000
)

// Presets returns the presets, "paper" first.
//
//   - paper: the paper's literal setup: the paper CNN, Adam lr 6e-4,
//     cross-entropy, batch 64, 50 epochs over the whole training set.
//   - quick: the paper CNN and optimiser for QuickEpochs epochs, each epoch
//     QuickEpochImages training images (a fresh seeded draw per epoch),
//     evaluated on QuickEvalImages held-out images: minutes on a laptop.
func Presets() []Preset {
	return []Preset{
		{Name: "paper", Summary: "the paper's setup: CNN, Adam 6e-4, batch 64, 50 epochs over the whole training set",
			Params: map[string]any{}},
		{Name: "quick", Summary: fmt.Sprintf("CNN, Adam 6e-4, batch 64, %d epochs of %d images, eval on %d held-out images",
			QuickEpochs, QuickEpochImages, QuickEvalImages),
			Params: map[string]any{ParamEpochs: QuickEpochs, ParamEpochImages: QuickEpochImages, ParamEvalImages: QuickEvalImages}},
	}
}

// NewContext returns a GoMLX context holding the defaults overridden by the
// named preset ("" means "paper").
func NewContext(preset string) (*context.Context, error) {
	if preset == "" {
		preset = "paper"
	}
	var p *Preset
	var names []string
	for _, q := range Presets() {
		names = append(names, q.Name)
		if q.Name == preset {
			p = &q
		}
	}
	if p == nil {
		return nil, fmt.Errorf("unknown preset %q (have %s)", preset, strings.Join(names, ", "))
	}
	ctx := context.New()
	ctx.SetParams(Defaults())
	ctx.SetParams(p.Params)
	ctx.SetParam(paramPreset, p.Name)
	return ctx, nil
}

// paramPreset records which preset a context started from.
const paramPreset = "preset"

// SetParams parses settings of the form "key=value;key=value" (GoMLX's
// -set convention) into ctx. Every key must already be set (see Defaults),
// and each value is parsed into the type of its current value.
func SetParams(ctx *context.Context, settings string) error {
	for _, kv := range strings.Split(settings, ";") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		key, val, ok := strings.Cut(kv, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" {
			return fmt.Errorf("setting %q: want key=value", kv)
		}
		old, found := ctx.GetParam(key)
		if !found || key == paramPreset {
			return fmt.Errorf("setting %q: unknown hyperparameter %q (have %s)", kv, key, strings.Join(paramKeys(), ", "))
		}
		v, err := parseLike(old, val)
		if err != nil {
			return fmt.Errorf("setting %q: %w", kv, err)
		}
		ctx.SetParam(key, v)
	}
	return nil
}

func paramKeys() []string {
	var keys []string
	for k := range Defaults() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func parseLike(old any, s string) (any, error) {
	switch old.(type) {
	case string:
		return s, nil
	case int:
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return v, nil
	case float64:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return v, nil
	case bool:
		v, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", s)
		}
		return v, nil
	}
	return nil, fmt.Errorf("cannot parse into %T", old)
}

// Config is config.json: everything needed to know how a run was made.
type Config struct {
	Format       int     `json:"format"` // run-directory format, FormatVersion
	Preset       string  `json:"preset"`
	Arch         string  `json:"arch"`
	Dataset      string  `json:"dataset"`
	Epochs       int     `json:"epochs"`
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	AdamBeta1    float64 `json:"adam_beta1"`
	AdamBeta2    float64 `json:"adam_beta2"`
	AdamEpsilon  float64 `json:"adam_epsilon"`
	Optimizer    string  `json:"optimizer"` // prose: the update rule
	Loss         string  `json:"loss"`      // prose: the loss
	// EpochImages is the number of training images per epoch (0 before the
	// data is known means all); StepsPerEpoch = EpochImages / BatchSize.
	EpochImages   int   `json:"epoch_images"`
	StepsPerEpoch int   `json:"steps_per_epoch"`
	EvalImages    int   `json:"eval_images"`
	ProbeSize     int   `json:"probe_size"`
	Seed          int64 `json:"seed"`

	Track  TrackConfig     `json:"track"`
	Data   DataInfo        `json:"data"`
	Layers []weights.Layer `json:"layers"`

	Backend       string         `json:"backend"`        // backend.Describe
	Module        string         `json:"module"`         // main module path
	ModuleVersion string         `json:"module_version"` // "(devel)" in a source tree
	VCSRevision   string         `json:"vcs_revision,omitempty"`
	GoVersion     string         `json:"go_version"`
	Params        map[string]any `json:"params"` // every context parameter
}

// FormatVersion is the version of the run-directory format written.
const FormatVersion = 1

// TrackConfig says which segments' gradients are recorded every step.
type TrackConfig struct {
	Mode          string   `json:"mode"` // "default" or "all"
	R             int      `json:"r"`
	Sample        int      `json:"sample"` // per layer, mode "default"
	Segments      int      `json:"segments"`
	BytesPerStep  int      `json:"bytes_per_step"` // both series, float32
	SeriesFile    string   `json:"series_file"`
	MeanFile      string   `json:"mean_file"`
	IndexFile     string   `json:"index_file"`
	SkippedLayers []string `json:"skipped_layers,omitempty"` // kernels smaller than r
}

// DataInfo records the data a run trained on.
type DataInfo struct {
	Dir         string   `json:"dir"`
	Files       []string `json:"files"`
	Partial     bool     `json:"partial"`
	Notes       []string `json:"notes,omitempty"`
	TrainImages int      `json:"train_images"`
	EvalImages  int      `json:"eval_images"` // size of the held-out set
}

// hyperFromContext fills the hyperparameter fields of a Config from ctx.
func hyperFromContext(ctx *context.Context) (Config, error) {
	d := Defaults()
	c := Config{
		Format:       FormatVersion,
		Preset:       context.GetParamOr(ctx, paramPreset, "paper"),
		Arch:         context.GetParamOr(ctx, ParamArch, d[ParamArch].(string)),
		Dataset:      context.GetParamOr(ctx, ParamDataset, d[ParamDataset].(string)),
		Epochs:       context.GetParamOr(ctx, ParamEpochs, d[ParamEpochs].(int)),
		BatchSize:    context.GetParamOr(ctx, ParamBatchSize, d[ParamBatchSize].(int)),
		LearningRate: context.GetParamOr(ctx, ParamLearningRate, d[ParamLearningRate].(float64)),
		AdamBeta1:    context.GetParamOr(ctx, ParamAdamBeta1, d[ParamAdamBeta1].(float64)),
		AdamBeta2:    context.GetParamOr(ctx, ParamAdamBeta2, d[ParamAdamBeta2].(float64)),
		AdamEpsilon:  context.GetParamOr(ctx, ParamAdamEpsilon, d[ParamAdamEpsilon].(float64)),
		Optimizer:    "Adam, PyTorch semantics: bias-corrected, eps added to sqrt(v)/sqrt(1-beta2^t), no weight decay",
		Loss:         "cross-entropy of softmax(logits), mean over the batch",
		EpochImages:  context.GetParamOr(ctx, ParamEpochImages, d[ParamEpochImages].(int)),
		EvalImages:   context.GetParamOr(ctx, ParamEvalImages, d[ParamEvalImages].(int)),
		ProbeSize:    context.GetParamOr(ctx, ParamProbeSize, d[ParamProbeSize].(int)),
		Seed:         int64(context.GetParamOr(ctx, ParamSeed, d[ParamSeed].(int))),
		Track: TrackConfig{
			Mode:   context.GetParamOr(ctx, ParamTrack, d[ParamTrack].(string)),
			R:      context.GetParamOr(ctx, ParamTrackR, d[ParamTrackR].(int)),
			Sample: context.GetParamOr(ctx, ParamTrackSample, d[ParamTrackSample].(int)),
		},
		Params: map[string]any{},
	}
	ctx.EnumerateParams(func(scope, key string, value any) {
		if scope == context.RootScope {
			c.Params[key] = value
		} else {
			c.Params[scope+"/"+key] = value
		}
	})
	switch {
	case c.Epochs < 1:
		return c, fmt.Errorf("%s = %d: need at least 1", ParamEpochs, c.Epochs)
	case c.BatchSize < 1:
		return c, fmt.Errorf("%s = %d: need at least 1", ParamBatchSize, c.BatchSize)
	case !(c.LearningRate > 0):
		return c, fmt.Errorf("%s = %g: need > 0", ParamLearningRate, c.LearningRate)
	case !(c.AdamBeta1 >= 0 && c.AdamBeta1 < 1), !(c.AdamBeta2 >= 0 && c.AdamBeta2 < 1):
		return c, fmt.Errorf("adam betas (%g, %g): need 0 <= beta < 1", c.AdamBeta1, c.AdamBeta2)
	case !(c.AdamEpsilon >= 0):
		return c, fmt.Errorf("%s = %g: need >= 0", ParamAdamEpsilon, c.AdamEpsilon)
	case c.EpochImages < 0 || c.EvalImages < 0:
		return c, fmt.Errorf("%s and %s must be >= 0", ParamEpochImages, ParamEvalImages)
	case c.ProbeSize < 1:
		return c, fmt.Errorf("%s = %d: need at least 1", ParamProbeSize, c.ProbeSize)
	case c.Track.Mode != "default" && c.Track.Mode != "all":
		return c, fmt.Errorf("%s = %q: want \"default\" or \"all\"", ParamTrack, c.Track.Mode)
	case c.Track.R < 1:
		return c, fmt.Errorf("%s = %d: need at least 1", ParamTrackR, c.Track.R)
	case c.Track.Sample < 1:
		return c, fmt.Errorf("%s = %d: need at least 1", ParamTrackSample, c.Track.Sample)
	}
	return c, nil
}

// SetBuildInfo records the module and Go versions.
func (c *Config) SetBuildInfo() {
	c.GoVersion = runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		c.Module = bi.Main.Path
		c.ModuleVersion = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				c.VCSRevision = s.Value
			}
		}
	}
}

// resumeKeys are the config.json keys that must agree for a resume; epochs
// may grow, and where the data, backend or binary came from may differ.
var resumeKeys = []string{"arch", "dataset", "batch_size", "learning_rate", "adam_beta1", "adam_beta2",
	"adam_epsilon", "epoch_images", "steps_per_epoch", "eval_images", "probe_size", "seed", "track", "layers"}

// checkResume returns an error naming the first key in which the config of
// an existing run (old) differs from the one asked for (c), or saying that
// c asks for fewer epochs than the run has: epochs may grow, never shrink,
// since a shrunk config.json would disown the snapshots beyond its end.
func (c *Config) checkResume(old *Config) error {
	if c.Epochs < old.Epochs {
		return fmt.Errorf("cannot resume: the run already has %s = %d and this call asks for %d; "+
			"epochs may grow (resume) but not shrink, which would leave snapshots past the run's end (use another --out)",
			ParamEpochs, old.Epochs, c.Epochs)
	}
	a, err := jsonFields(old)
	if err != nil {
		return err
	}
	b, err := jsonFields(c)
	if err != nil {
		return err
	}
	for _, k := range resumeKeys {
		if string(a[k]) != string(b[k]) {
			return fmt.Errorf("cannot resume: config key %q differs: the run has %s, this call asks for %s (use another --out or the same settings)",
				k, a[k], b[k])
		}
	}
	if old.Data.Partial != c.Data.Partial || old.Data.TrainImages != c.Data.TrainImages {
		return fmt.Errorf("cannot resume: config key \"data\" differs: the run trained on %d images (partial %v), this data has %d (partial %v)",
			old.Data.TrainImages, old.Data.Partial, c.Data.TrainImages, c.Data.Partial)
	}
	return nil
}

func jsonFields(c *Config) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	m := map[string]json.RawMessage{}
	return m, json.Unmarshal(b, &m)
}

// ConfigFile is the name of the config file in a run directory.
const ConfigFile = "config.json"

func writeConfig(dir string, c *Config) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", ConfigFile, err)
	}
	return fsutil.WriteFile(filepath.Join(dir, ConfigFile), append(b, '\n'))
}

// ReadConfig reads dir/config.json.
func ReadConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading run config: %w", err)
	}
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("reading run config %s: %w (a truncated or hand-edited file?)", path, err)
	}
	if c.Format != FormatVersion {
		return nil, fmt.Errorf("run config %s: format %d, this fracdyn reads format %d", path, c.Format, FormatVersion)
	}
	if c.Arch == "" || c.BatchSize < 1 || len(c.Layers) == 0 {
		return nil, fmt.Errorf("run config %s: missing arch, batch_size or layers", path)
	}
	if err := checkLayers(c.Layers); err != nil {
		return nil, fmt.Errorf("run config %s: %w", path, err)
	}
	return &c, nil
}

// checkLayers checks what readers of a run rely on: weights.CheckLayers
// (unique names, canonical shapes of the kind's rank, Prev an earlier
// layer), and only dense and conv layers, the kinds a run's analysis reads.
func checkLayers(layers []weights.Layer) error {
	if err := weights.CheckLayers(layers); err != nil {
		return err
	}
	for _, l := range layers {
		if l.Kind != weights.Dense && l.Kind != weights.Conv {
			return fmt.Errorf("layer %q: kind %v: a run holds dense and conv layers only", l.Name, l.Kind)
		}
	}
	return nil
}
