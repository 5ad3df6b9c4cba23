package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
)

// runCLI runs fracdyn as a separate process (this test binary as the CLI,
// see TestMain) and fails the test on a non-zero exit.
func runCLI(t *testing.T, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fracdyn %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
}

// outputFiles returns the files under dir (relative paths), shards/ left out.
func outputFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() && rel == "shards" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			out[rel] = b
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestShardMerge runs analyze-model as one process and as N shard
// processes (N = 2, 3, 4; the last with "--shard auto/4" and the Kubernetes
// index variable), merges the shards and checks that every file is byte
// for byte what the one process wrote: segments.parquet, scales.csv,
// details.csv and the graph's alpha.csv and graph.csv.
func TestShardMerge(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(4, 4))
	weights := map[string][]float32{}
	for _, l := range model.Layers(model.MLP) {
		for _, p := range [][]int{l.WeightShape, l.BiasShape} {
			n := 1
			for _, d := range p {
				n *= d
			}
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64() * 0.05)
			}
			part := "weight"
			if len(p) == 1 {
				part = "bias"
			}
			weights[model.StateName(l, part)] = v
		}
	}
	st := filepath.Join(dir, "mlp.safetensors")
	if err := modelfile.ExportSafetensors(st, model.MLP, weights, nil); err != nil {
		t.Fatal(err)
	}
	args := []string{"analyze-model", "-r", "4,8", "-graph-r", "8"}
	one := filepath.Join(dir, "one")
	runCLI(t, nil, append(args, "-out", one, st)...)
	want := outputFiles(t, one)
	for _, f := range []string{"segments.parquet", "scales.csv", "details.csv", "alpha.csv", "graph.csv"} {
		if len(want[f]) == 0 {
			t.Fatalf("one process wrote no %s (files %v)", f, keys(want))
		}
	}
	for _, n := range []int{2, 3, 4} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			out := filepath.Join(dir, fmt.Sprintf("sharded-%d", n))
			for k := range n {
				if n == 4 {
					runCLI(t, []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", k)}, append(args, "-shard", "auto/4", "-out", out, st)...)
				} else {
					runCLI(t, nil, append(args, "-shard", fmt.Sprintf("%d/%d", k, n), "-out", out, st)...)
				}
			}
			runCLI(t, nil, "merge", out)
			got := outputFiles(t, out)
			if strings.Join(keys(got), " ") != strings.Join(keys(want), " ") {
				t.Fatalf("merged files %v, one process's %v", keys(got), keys(want))
			}
			for f, b := range want {
				if !bytes.Equal(got[f], b) {
					t.Errorf("merged %s (%d bytes) differs from one process's (%d bytes)", f, len(got[f]), len(b))
				}
			}
		})
	}
}

func TestShardMergeMissingShard(t *testing.T) {
	dir := t.TempDir()
	st := "../../fracdyn/modelfile/testdata/torch.safetensors"
	runCLI(t, nil, "analyze-model", "-r", "2", "-shard", "1/3", "-out", dir, st)
	var stderr bytes.Buffer
	if code := Main([]string{"merge", dir}, &stderr); code == 0 || !strings.Contains(stderr.String(), "shards 0/3, 2/3 are missing") {
		t.Errorf("merge with shards missing: exit %d, %s", code, stderr.String())
	}
	if code := Main([]string{"analyze-model", "-shard", "3/3", st}, &stderr); code != 2 || !strings.Contains(stderr.String(), "0 ≤ K < N") {
		t.Errorf("-shard 3/3: exit %d, %s", code, stderr.String())
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSweepShardMerge runs a sweep over three learning rates as one
// process and as two shard processes, merges them and compares sweep.csv
// and each run's attractor table byte for byte.
func TestSweepShardMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models")
	}
	data := mnistDir(t)
	dir := t.TempDir()
	args := []string{"sweep", "--data", data, "--lr", "1e-3,3e-3,1e30", "--per-layer", "1", "--windows", "-1",
		"--set", "arch=mlp;epochs=2;epoch_images=64;batch_size=16;probe_size=16;track_sample=16;eval_images=200"}
	one := filepath.Join(dir, "one")
	runCLI(t, nil, append(args, "--out", one)...)
	out := filepath.Join(dir, "sharded")
	for k := range 2 {
		runCLI(t, []string{fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", k+1), "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_COUNT=2"},
			append(args, "--shard", "auto", "--out", out)...)
	}
	runCLI(t, nil, "merge", out)
	for _, f := range []string{"sweep.csv", "lr-0.001/analysis/attractors.csv", "lr-0.003/analysis/attractors.csv", "lr-1e+30/analysis/attractors.csv"} {
		want, err := os.ReadFile(filepath.Join(one, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("merged %s differs from one process's:\n%s\nwant\n%s", f, got, want)
		}
	}
}
