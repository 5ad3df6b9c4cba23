package run

import (
	"strings"
	"testing"
)

func TestPresetsAndSettings(t *testing.T) {
	ctx, err := NewContext("quick")
	if err != nil {
		t.Fatal(err)
	}
	if err := SetParams(ctx, " learning_rate = 1e-3 ; arch=mlp;;track=all"); err != nil {
		t.Fatal(err)
	}
	c, err := hyperFromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Preset != "quick" || c.Epochs != QuickEpochs || c.EpochImages != QuickEpochImages ||
		c.LearningRate != 1e-3 || c.Arch != "mlp" || c.Track.Mode != "all" || c.BatchSize != 64 {
		t.Errorf("config %+v", c)
	}
	paper, _ := NewContext("")
	if p, _ := hyperFromContext(paper); p.Epochs != 50 || p.LearningRate != 6e-4 || p.EpochImages != 0 || p.Preset != "paper" {
		t.Errorf("paper preset %+v", p)
	}
	for _, tc := range []struct{ settings, want string }{
		{"lr=1", `unknown hyperparameter "lr"`},
		{"epochs=two", `"two" is not an integer`},
		{"learning_rate", "want key=value"},
		{"preset=paper", "unknown hyperparameter"},
	} {
		if err := SetParams(ctx, tc.settings); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetParams(%q) = %v, want %q", tc.settings, err, tc.want)
		}
	}
	if _, err := NewContext("fast"); err == nil || !strings.Contains(err.Error(), "paper, quick") {
		t.Errorf("unknown preset: %v", err)
	}
	for _, s := range []string{"epochs=0", "batch_size=-1", "learning_rate=0", "track=some", "adam_beta1=1"} {
		ctx, _ := NewContext("paper")
		if err := SetParams(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := hyperFromContext(ctx); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
}

// TestResumeRefusesFewerEpochs: "train --epochs 3" on a 5-epoch run used
// to rewrite config.json to 3 epochs while 5 snapshots remained (issue
// 15). Fewer epochs is refused, more is a resume.
func TestResumeRefusesFewerEpochs(t *testing.T) {
	old := &Config{Epochs: 5}
	err := (&Config{Epochs: 3}).checkResume(old)
	if err == nil || !strings.Contains(err.Error(), "already has epochs = 5 and this call asks for 3") {
		t.Errorf("resume with fewer epochs: %v", err)
	}
	for _, e := range []int{5, 8} {
		if err := (&Config{Epochs: e}).checkResume(old); err != nil {
			t.Errorf("resume of a 5-epoch run with %d epochs: %v", e, err)
		}
	}
}
