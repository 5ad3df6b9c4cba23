package run

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// File names in a run directory.
const (
	StepsFile  = "steps.csv"
	EpochsFile = "epochs.csv"
)

// Step is one row of steps.csv: the loss and gradient norms of one training
// step, measured on its batch before the update.
type Step struct {
	Epoch    int     // 1-based epoch the step belongs to
	Step     int     // 1-based global step number (Adam's t)
	Loss     float64 // mean cross-entropy over the batch
	GradNorm float64 // ‖∇L‖₂ over all weights and biases
	// LayerGradNorms maps a layer name to ‖∇L‖₂ over its weights and bias.
	LayerGradNorms map[string]float64
}

// EpochStats is one row of epochs.csv.
type EpochStats struct {
	Epoch        int
	TrainLoss    float64 // mean of the epoch's step losses
	EvalLoss     float64 // mean cross-entropy on the held-out images
	EvalAccuracy float64 // fraction of held-out images classified right
	WallSeconds  float64 // wall-clock seconds the epoch took, evaluation included
}

// f32 formats a value computed in float32 with the fewest digits that
// read back to the same float32.
func f32(x float64) string { return strconv.FormatFloat(x, 'g', -1, 32) }

func writeSteps(dir string, layers []string, steps []Step) error {
	return fsutil.WriteFileAtomic(filepath.Join(dir, StepsFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		header := []string{"epoch", "step", "loss", "grad_norm"}
		for _, l := range layers {
			header = append(header, "grad_norm_"+l)
		}
		if err := cw.Write(header); err != nil {
			return err
		}
		row := make([]string, len(header))
		for _, s := range steps {
			row = row[:0]
			row = append(row, strconv.Itoa(s.Epoch), strconv.Itoa(s.Step), f32(s.Loss), f32(s.GradNorm))
			for _, l := range layers {
				row = append(row, f32(s.LayerGradNorms[l]))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

func writeEpochs(dir string, epochs []EpochStats) error {
	return fsutil.WriteFileAtomic(filepath.Join(dir, EpochsFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"epoch", "train_loss", "eval_loss", "eval_accuracy", "wall_seconds"}); err != nil {
			return err
		}
		for _, e := range epochs {
			err := cw.Write([]string{strconv.Itoa(e.Epoch), f32(e.TrainLoss), f32(e.EvalLoss),
				strconv.FormatFloat(e.EvalAccuracy, 'g', -1, 64), strconv.FormatFloat(e.WallSeconds, 'f', 3, 64)})
			if err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// readCSV reads path and checks that its header starts with want.
func readCSV(path string, want ...string) (header []string, rows [][]string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("reading %s: empty file, no header", path)
	}
	header = all[0]
	if len(header) < len(want) || strings.Join(header[:len(want)], ",") != strings.Join(want, ",") {
		return nil, nil, fmt.Errorf("reading %s: header %q, want it to start with %q", path, header, want)
	}
	return header, all[1:], nil
}

// parseRow parses the fields of a CSV row as numbers.
func parseRow(path string, line int, fields []string) ([]float64, error) {
	v := make([]float64, len(fields))
	for i, s := range fields {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("reading %s line %d, field %d: %q is not a number", path, line, i+1, s)
		}
		v[i] = x
	}
	return v, nil
}

// wholeNumbers checks that the leading fields of a row (epoch, step) are
// whole numbers that fit an int32.
func wholeNumbers(path string, line int, v []float64) error {
	for i, x := range v {
		if x != math.Trunc(x) || math.Abs(x) > math.MaxInt32 {
			return fmt.Errorf("reading %s line %d, field %d: %v is not a whole number", path, line, i+1, x)
		}
	}
	return nil
}

func readSteps(dir string) (layers []string, steps []Step, err error) {
	path := filepath.Join(dir, StepsFile)
	header, rows, err := readCSV(path, "epoch", "step", "loss", "grad_norm")
	if err != nil {
		return nil, nil, err
	}
	for _, h := range header[4:] {
		l, ok := strings.CutPrefix(h, "grad_norm_")
		if !ok {
			return nil, nil, fmt.Errorf("reading %s: unexpected column %q", path, h)
		}
		layers = append(layers, l)
	}
	steps = make([]Step, len(rows))
	for i, r := range rows {
		v, err := parseRow(path, i+2, r)
		if err != nil {
			return nil, nil, err
		}
		if err := wholeNumbers(path, i+2, v[:2]); err != nil {
			return nil, nil, err
		}
		s := Step{Epoch: int(v[0]), Step: int(v[1]), Loss: v[2], GradNorm: v[3], LayerGradNorms: map[string]float64{}}
		for j, l := range layers {
			s.LayerGradNorms[l] = v[4+j]
		}
		steps[i] = s
	}
	return layers, steps, nil
}

func readEpochs(dir string) ([]EpochStats, error) {
	path := filepath.Join(dir, EpochsFile)
	_, rows, err := readCSV(path, "epoch", "train_loss", "eval_loss", "eval_accuracy", "wall_seconds")
	if err != nil {
		return nil, err
	}
	out := make([]EpochStats, len(rows))
	for i, r := range rows {
		v, err := parseRow(path, i+2, r)
		if err != nil {
			return nil, err
		}
		if err := wholeNumbers(path, i+2, v[:1]); err != nil {
			return nil, err
		}
		out[i] = EpochStats{Epoch: int(v[0]), TrainLoss: v[1], EvalLoss: v[2], EvalAccuracy: v[3], WallSeconds: v[4]}
	}
	return out, nil
}
