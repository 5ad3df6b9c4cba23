package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// childEnv makes the test binary run fracdyn's Main on its arguments
// instead of the tests: the fault tests start fracdyn as a real child
// process they can SIGKILL or SIGINT.
const childEnv = "FRACDYN_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(Main(os.Args[1:], os.Stderr))
	}
	code := m.Run()
	if refDir != "" {
		os.RemoveAll(filepath.Dir(refDir))
	}
	if cnnRunDir != "" {
		os.RemoveAll(filepath.Dir(cnnRunDir))
	}
	os.Exit(code)
}

// child is fracdyn running as a child process, its stderr collected.
type child struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	stderr  bytes.Buffer
	started time.Time
	marks   map[string]chan struct{} // closed when a line containing the key appears
	done    chan struct{}            // closed when stderr is drained
}

func startChild(t *testing.T, marks []string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...), marks: map[string]chan struct{}{}, done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), childEnv+"=1", "GOMAXPROCS=2")
	for _, m := range marks {
		c.marks[m] = make(chan struct{})
	}
	pipe, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.started = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			c.stderr.WriteString(line + "\n")
			for m, ch := range c.marks {
				if ch != nil && strings.Contains(line, m) {
					close(ch)
					c.marks[m] = nil
				}
			}
			c.mu.Unlock()
		}
	}()
	return c
}

// wait returns the exit code, or -1 when a signal killed the child.
func (c *child) wait() int {
	<-c.done
	err := c.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -2
	}
	return 0
}

func (c *child) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// mark returns the channel closed when a stderr line contains key.
func (c *child) mark(key string) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch := c.marks[key]; ch != nil {
		return ch
	}
	ch := make(chan struct{})
	close(ch)
	return ch
}

// await waits for a stderr line containing key and reports whether it
// came before the child closed its stderr (exited).
func (c *child) await(key string) bool {
	select {
	case <-c.mark(key):
		return true
	case <-c.done:
		select {
		case <-c.mark(key):
			return true
		default:
			return false
		}
	}
}

// killEpochs is the length of the fault tests' run: more epochs than
// kills, so that the run cannot finish while kills remain even if each
// kill lands an epoch later than planned.
const killEpochs = 10

// killTrainArgs is a small MLP run on real MNIST: killEpochs epochs of 20
// steps of 32 images, 500 held-out images.
func killTrainArgs(data, out string) []string {
	return []string{"train", "--data", data, "--out", out, "--preset", "quick", "--arch", "mlp", "--epochs", fmt.Sprint(killEpochs),
		"--batch", "32", "--seed", "3", "--set", "epoch_images=640;eval_images=500;probe_size=16;track_sample=32"}
}

// reliabilityRunFiles are the files of a finished run that must not depend
// on how often it was interrupted (config.json and epochs.csv hold wall
// times).
func reliabilityRunFiles() []string {
	files := []string{run.StepsFile, run.SegmentsFile, run.SegmentsMeanFile, run.SegmentsIndex, run.ProbeFile}
	for e := range killEpochs + 1 {
		files = append(files, fmt.Sprintf("snapshots/epoch-%03d.npz", e))
	}
	return files
}

var (
	refOnce              sync.Once
	refDir, refErr       string
	refStartup, refEpoch time.Duration
)

// referenceRun trains the uninterrupted run once per test binary and
// measures how long its startup and first epoch take.
func referenceRun(t *testing.T) (dir string, startup, epoch time.Duration) {
	t.Helper()
	data := mnistDir(t)
	refOnce.Do(func() {
		d, err := os.MkdirTemp("", "fracdyn-reliability-")
		if err != nil {
			refErr = err.Error()
			return
		}
		refDir = filepath.Join(d, "ref")
		c := startChild(t, []string{"train:", fmt.Sprintf("epoch 1/%d:", killEpochs)}, killTrainArgs(data, refDir)...)
		ok := c.await("train:")
		tTrain := time.Now()
		ok = ok && c.await(fmt.Sprintf("epoch 1/%d:", killEpochs))
		refStartup, refEpoch = tTrain.Sub(c.started), time.Since(tTrain)
		if code := c.wait(); code != 0 || !ok {
			refErr = fmt.Sprintf("reference run exited %d:\n%s", code, c.log())
			return
		}
		if refEpoch <= 0 {
			refEpoch = time.Second
		}
	})
	if refErr != "" {
		t.Fatal(refErr)
	}
	return refDir, refStartup, refEpoch
}

// sameRunFiles compares the run files of two directories byte for byte.
func sameRunFiles(t *testing.T, want, got string) {
	t.Helper()
	for _, f := range reliabilityRunFiles() {
		a, err := os.ReadFile(filepath.Join(want, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(got, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the uninterrupted run's", f)
		}
	}
}

// hiddenTemp returns the first temporary file of an atomic write
// (".NAME.tmp-*") in dir whose name contains sub, or "".
func hiddenTemp(dir, sub string) string {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") && strings.Contains(e.Name(), sub) {
			return e.Name()
		}
	}
	return ""
}

// kill is one planned SIGKILL: after a fraction of an epoch of training
// (counted from the "train:" line), or as soon as appear returns a name
// other than the one it returned before the child started.
type kill struct {
	what   string
	frac   float64                 // > 0: time kill
	appear func(dir string) string // file kill: the name of the file seen, or ""
}

// TestTrainSIGKILLResumesBitForBit kills `fracdyn train` with SIGKILL at up
// to nine points of a ten-epoch MLP run on real MNIST (five seeded points in
// the epochs, then during two snapshot writes, during a checkpoint write,
// right after an epoch's checkpoint commits), resumes the same --out each
// time, and checks that the finished run's steps, series and snapshots equal
// an uninterrupted run's bit for bit. At least minKills kills must land.
// minKills is how many of the planned kills must land: the issue asks for
// at least five points across an epoch and during snapshot writes.
const minKills = 5

func TestTrainSIGKILLResumesBitForBit(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model ten times")
	}
	ref, _, epoch := referenceRun(t)
	data := mnistDir(t)
	out := filepath.Join(t.TempDir(), "killed")
	rng := rand.New(rand.NewPCG(2024, 8))
	fracs := make([]float64, 5)
	for i := range fracs {
		fracs[i] = 0.05 + 0.9*rng.Float64()
	}
	tempIn := func(sub, name string) func(string) string {
		return func(dir string) string { return hiddenTemp(filepath.Join(dir, sub), name) }
	}
	// lastCommit names the newest committed checkpoint.
	lastCommit := func(dir string) string {
		entries, _ := os.ReadDir(filepath.Join(dir, run.CheckpointsDir))
		last := ""
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") {
				last = max(last, e.Name())
			}
		}
		return last
	}
	// Time kills wait frac of the reference epoch after the training loop
	// starts. Each kill lets the run advance by at most about one epoch
	// (an event it polls for may pass unseen; the next one is an epoch
	// later), and there are more epochs than kills.
	// The seeded time kills come first: they always land. The file events
	// follow; one that passes unseen lets the run finish (see below).
	plan := []kill{
		{what: "at a seeded time", frac: fracs[0]},
		{what: "at a seeded time", frac: fracs[1]},
		{what: "at a seeded time", frac: fracs[2]},
		{what: "at a seeded time", frac: fracs[3]},
		{what: "at a seeded time", frac: fracs[4]},
		{what: "writing a snapshot", appear: tempIn(run.SnapshotsDir, "")},
		{what: "writing a checkpoint", appear: tempIn(run.CheckpointsDir, "")},
		{what: "right after an epoch's checkpoint committed", appear: lastCommit},
		{what: "writing a snapshot", appear: tempIn(run.SnapshotsDir, "")},
	}
	landed := 0
	for i, k := range plan {
		before := ""
		if k.appear != nil {
			before = k.appear(out)
		}
		c := startChild(t, []string{"train:"}, killTrainArgs(data, out)...)
		exited := make(chan int, 1)
		go func() { exited <- c.wait() }()
		seen := ""
		if k.frac > 0 {
			select {
			case <-c.mark("train:"):
			case code := <-exited:
				t.Fatalf("kill %d: child exited %d before training:\n%s", i+1, code, c.log())
			}
			time.Sleep(time.Duration(k.frac * float64(epoch)))
			seen = fmt.Sprintf("%.0f%% of an epoch after the loop started", 100*k.frac)
		} else {
		poll:
			for {
				if seen = k.appear(out); seen != "" && seen != before {
					break
				}
				select {
				case code := <-exited:
					t.Fatalf("kill %d (%s): child exited %d first:\n%s", i+1, k.what, code, c.log())
				default:
					time.Sleep(200 * time.Microsecond)
					continue poll
				}
			}
		}
		c.cmd.Process.Signal(syscall.SIGKILL)
		code := <-exited
		r, _ := run.Open(out)
		var steps []run.Step
		if r != nil {
			steps, _ = r.Steps()
		}
		cps, _ := os.ReadDir(filepath.Join(out, run.CheckpointsDir))
		var names []string
		for _, e := range cps {
			names = append(names, e.Name())
		}
		t.Logf("kill %d %s (%s): exit %d; steps.csv rows %d; checkpoints %v; temp left: %q %q",
			i+1, k.what, seen, code, len(steps), names,
			hiddenTemp(filepath.Join(out, run.SnapshotsDir), ""), hiddenTemp(filepath.Join(out, run.CheckpointsDir), ""))
		if code == 0 {
			// A file event can pass unseen between two polls on a loaded
			// machine; then the run finishes and no later kill can land.
			t.Logf("kill %d (%s) came too late: the run had finished", i+1, k.what)
			break
		}
		landed++
	}
	if landed < minKills {
		t.Fatalf("only %d of %d planned kills landed before the run finished; want at least %d", landed, len(plan), minKills)
	}
	c := startChild(t, nil, killTrainArgs(data, out)...)
	if code := c.wait(); code != 0 {
		t.Fatalf("resume after the kills exited %d:\n%s", code, c.log())
	}
	sameRunFiles(t, ref, out)
	r, err := run.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int, killEpochs+1)
	for i := range want {
		want[i] = i
	}
	if ep, err := r.SnapshotEpochs(); err != nil || !slices.Equal(ep, want) {
		t.Errorf("snapshots %v (%v), want %v", ep, err, want)
	}
	for _, d := range []string{out, filepath.Join(out, run.SnapshotsDir), filepath.Join(out, run.CheckpointsDir)} {
		if n := hiddenTemp(d, ""); n != "" {
			t.Errorf("leftover %s in %s after the resumed run", n, d)
		}
	}
}

// TestTrainSIGINT interrupts `fracdyn train` with SIGINT in epoch 1: it must
// exit with code 130 and the directory must resume to the uninterrupted
// run's bytes. The latency from the signal to the exit is logged.
func TestTrainSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	ref, _, epoch := referenceRun(t)
	data := mnistDir(t)
	out := filepath.Join(t.TempDir(), "interrupted")
	c := startChild(t, []string{"train:"}, killTrainArgs(data, out)...)
	if !c.await("train:") {
		t.Fatalf("train exited before training:\n%s", c.log())
	}
	time.Sleep(epoch / 2)
	sent := time.Now()
	c.cmd.Process.Signal(os.Interrupt)
	code := c.wait()
	t.Logf("train exited %d %v after SIGINT", code, time.Since(sent).Round(time.Millisecond))
	if code != 130 {
		t.Fatalf("exit code %d, want 130:\n%s", code, c.log())
	}
	if !strings.Contains(c.log(), "interrupted") {
		t.Errorf("no interruption message:\n%s", c.log())
	}
	c = startChild(t, nil, killTrainArgs(data, out)...)
	if code := c.wait(); code != 0 {
		t.Fatalf("resume exited %d:\n%s", code, c.log())
	}
	if !strings.Contains(c.log(), "resuming") {
		t.Errorf("second run did not resume:\n%s", c.log())
	}
	sameRunFiles(t, ref, out)
}

// TestTrainDivergenceCLI trains with --lr 1e30: step 1 throws the weights
// to ±1e30, so step 2's loss is NaN. fracdyn train must exit 1 with a
// message naming the epoch and step, and keep the epoch-0 snapshot and the
// steps up to the NaN. (--lr 10 does not reach a NaN on these models: Adam
// moves each weight by at most about lr per step, and the measured loss
// grows to ~1e7 but stays finite; see RELIABILITY.md.)
func TestTrainDivergenceCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := mnistDir(t)
	out := filepath.Join(t.TempDir(), "diverged")
	c := startChild(t, nil, "train", "--data", data, "--out", out, "--preset", "quick", "--arch", "mlp", "--epochs", "1",
		"--batch", "32", "--lr", "1e30", "--set", "epoch_images=320;eval_images=200;probe_size=16;track_sample=16")
	code := c.wait()
	if code != 1 || !strings.Contains(c.log(), "training diverged") || !strings.Contains(c.log(), "epoch 1 step 2") {
		t.Fatalf("exit %d, want 1 with \"training diverged\" at epoch 1 step 2:\n%s", code, c.log())
	}
	r, err := run.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(0); err != nil {
		t.Errorf("epoch-0 snapshot after divergence: %v", err)
	}
	steps, err := r.Steps()
	if err != nil || len(steps) != 2 || steps[1].Loss == steps[1].Loss {
		t.Errorf("steps after divergence: %+v (%v), want 2 with a NaN loss last", steps, err)
	}
}

// TestAnalyzeSIGINT interrupts `fracdyn analyze` with SIGINT a second into
// its work on the reference run: it must exit with code 130 and leave no
// temporary or unreadable file in RUN/analysis. The latency is logged.
func TestAnalyzeSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	ref, _, _ := referenceRun(t)
	dir := testutil.CopyRun(t, ref)
	c := startChild(t, []string{"backend:"}, "analyze", "--r", "4,8,16", "--gamma", "0.5,1,2", dir)
	if !c.await("backend:") {
		t.Fatalf("analyze exited early:\n%s", c.log())
	}
	time.Sleep(time.Second)
	sent := time.Now()
	c.cmd.Process.Signal(os.Interrupt)
	code := c.wait()
	t.Logf("analyze exited %d %v after SIGINT", code, time.Since(sent).Round(time.Millisecond))
	if code != 130 {
		t.Fatalf("exit code %d, want 130:\n%s", code, c.log())
	}
	checkNoPartialFiles(t, filepath.Join(dir, "analysis"))
}

// checkNoPartialFiles fails on a temporary file under root, a CSV file
// whose rows do not parse into equal lengths, or a JSON file that does not
// parse.
func checkNoPartialFiles(t *testing.T, root string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(d.Name(), "."):
			t.Errorf("temporary file left: %s", path)
		case strings.HasSuffix(path, ".csv"):
			if _, err := csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil || len(b) == 0 {
				t.Errorf("%s is partial: %v", path, err)
			}
		case strings.HasSuffix(path, ".json"):
			if !json.Valid(b) {
				t.Errorf("%s is not valid JSON", path)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	t.Logf("%d files under %s, none partial", n, root)
}
