package progress_test

import (
	"os"
	"time"

	"github.com/fracdyn/fracdyn/internal/progress"
)

// A plain reporter (logs, CI) writes a line at most every Options.Every
// and always the final one.
func ExamplePlain() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	p := progress.Plain(os.Stdout, progress.Options{Title: "train", Total: 4, Unit: "steps",
		Every: 10 * time.Second, Now: func() time.Time { return now }})
	for step := 1; step <= 4; step++ {
		now = start.Add(time.Duration(step) * 6 * time.Second)
		p.Update(step, "loss 0.5")
	}
	p.Log("epoch 1 done")
	p.Done("ok")
	// Output:
	// train: 2/4 steps (50.0%), 0.167 steps/s, eta 12s, loss 0.5
	// train: 4/4 steps (100.0%), 0.167 steps/s, loss 0.5
	// epoch 1 done
	// train: 4/4 steps (100.0%), 0.167 steps/s, done in 24s, ok
}
