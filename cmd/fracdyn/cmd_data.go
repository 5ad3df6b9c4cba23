package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fracdyn/fracdyn/mnist"
)

func init() {
	register(&command{
		name:    "data",
		summary: "show where MNIST / Fashion-MNIST is found (full or partial); download or verify it",
		run:     runData,
	})
}

// dataOut receives the report of "fracdyn data"; tests replace it.
var dataOut io.Writer = os.Stdout

func runData(ctx context.Context, args []string) error {
	c := commands["data"]
	fs := newFlagSet(c)
	dir := fs.String("data", "", "directory holding the IDX files (searched before $"+mnist.EnvDataDir+" and the user cache)")
	dataset := fs.String("dataset", mnist.MNIST, "dataset: "+strings.Join(mnist.Datasets(), " or "))
	download := fs.Bool("download", false, "download missing files over HTTPS from the published mirrors, verifying their SHA-256")
	verify := fs.Bool("verify", false, "read every file, check it against the published SHA-256 and its IDX structure")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := wantArgs(fs.Args(), 0, "no arguments"); err != nil {
		return err
	}
	if !slices.Contains(mnist.Datasets(), *dataset) {
		return usageErrorf("unknown --dataset %q: want %s", *dataset, strings.Join(mnist.Datasets(), " or "))
	}
	opts := mnist.Options{Dir: *dir, Dataset: *dataset}
	out := dataOut
	if *download {
		opts.Progress = os.Stderr
		got, err := mnist.Download(ctx, opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "downloaded into %s\n\n", got)
	}
	cands, err := mnist.Candidates(opts)
	if err != nil {
		return err
	}
	showCandidates(out, *dataset, cands)
	if *verify {
		return verifyData(ctx, out, opts)
	}
	for _, c := range cands {
		if c.Full() || c.HasTest() {
			state := "FULL"
			if !c.Full() {
				state = "PARTIAL (test set only; 'fracdyn data --download' fetches the training files)"
			}
			fmt.Fprintf(out, "\nuses %s: %s\nrun 'fracdyn data --verify' to check the files' checksums\n", c.Dir, state)
			return nil
		}
	}
	// Nothing usable: Load explains where to put which files.
	_, err = mnist.Load(ctx, opts)
	return err
}

func showCandidates(w io.Writer, dataset string, cands []mnist.Candidate) {
	fmt.Fprintf(w, "dataset %s; search order:\n", dataset)
	for i, c := range cands {
		fmt.Fprintf(w, "  %d. %s (%s): ", i+1, c.Dir, c.Source)
		if !c.Exists {
			fmt.Fprintln(w, "does not exist")
			continue
		}
		var have []string
		for _, p := range c.Paths {
			if p != "" {
				have = append(have, filepath.Base(p))
			}
		}
		switch {
		case c.Full():
			fmt.Fprintln(w, "all 4 files")
		case c.HasTest():
			fmt.Fprintf(w, "test set only (%s)\n", strings.Join(have, ", "))
		case len(have) > 0:
			fmt.Fprintf(w, "incomplete (%s)\n", strings.Join(have, ", "))
		default:
			fmt.Fprintln(w, "no dataset files")
		}
	}
}

// verifyData loads the data as training would (which checks every file
// against its published checksum) and reports what was read.
func verifyData(ctx context.Context, w io.Writer, opts mnist.Options) error {
	d, err := mnist.Load(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, n := range d.Notes {
		fmt.Fprintln(w, n)
	}
	files := slices.Clone(d.Eval.Files)
	if !d.Partial {
		files = append(slices.Clone(d.Train.Files), files...)
	}
	fmt.Fprintln(w, "files:")
	for _, p := range files {
		fc, err := mnist.VerifyFile(opts.Dataset, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %s  %d items  sha256 %s\n      ok: %s\n", p, fc.Items, fc.SHA256, fc.By)
	}
	fmt.Fprintf(w, "train %d images, eval %d images, %d×%d pixels\n", d.Train.N, d.Eval.N, d.Train.Rows, d.Train.Cols)
	return nil
}
