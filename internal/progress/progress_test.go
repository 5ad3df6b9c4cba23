package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step each time it is read.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestPlainThrottlesAndFinishes(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), step: 3 * time.Second}
	r := Plain(&buf, Options{Title: "train", Total: 100, Unit: "steps", Every: 10 * time.Second, Now: clock.Now})
	// Each Update reads the clock once: at 6s, 9s, 12s, 15s, ...; the start was at 3s.
	for i := 1; i <= 10; i++ {
		r.Update(i*10, "loss 0.5")
	}
	r.Done("acc 93.0%")
	r.Update(5, "ignored")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// Updates happen at t=6..33 s (start 3 s); a line when ≥10 s since the
	// last one: at 15 s (i=4), 27 s (i=8); then Done at 36 s.
	want := []string{
		"train: 40/100 steps (40.0%), 3.33 steps/s, eta 18s, loss 0.5",
		"train: 80/100 steps (80.0%), 3.33 steps/s, eta 6s, loss 0.5",
		"train: 100/100 steps (100.0%), 3.03 steps/s, done in 33s, acc 93.0%",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s\nwant %d", len(lines), buf.String(), len(want))
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
}

func TestPlainUnknownTotal(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), step: time.Second}
	r := Plain(&buf, Options{Now: clock.Now})
	r.Update(7, "")
	r.Log("a note")
	r.Done("")
	got := strings.TrimSpace(buf.String())
	want := "a note\n7 items, 3.5 items/s, done in 2s"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNewPicksPlainForBuffers(t *testing.T) {
	if _, ok := New(&bytes.Buffer{}, Options{}).(*plain); !ok {
		t.Error("New(buffer) is not the plain reporter")
	}
	if _, ok := New(nil, Options{}).(discard); !ok {
		t.Error("New(nil) does not discard")
	}
}

func TestTerminalWritesBar(t *testing.T) {
	var buf bytes.Buffer
	r := Terminal(&buf, Options{Title: "train", Total: 4, Unit: "steps"})
	for i := 1; i <= 4; i++ {
		r.Update(i, "loss 0.1")
	}
	r.Done("acc 99%")
	out := buf.String()
	if !strings.Contains(out, "4/4") || !strings.Contains(out, "acc 99%") {
		t.Errorf("terminal output lacks count or status: %q", out)
	}
}
