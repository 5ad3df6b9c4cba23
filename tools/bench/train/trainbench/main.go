// Command trainbench times training fracdyn's models on the GoMLX backend
// and summarises its results with pytorch_ref.py's into BENCHMARKS.md.
//
//	trainbench -arch cnn [-steps 10 -epoch-images 1024 -probe 64] >> results.jsonl
//	trainbench -summarize results.jsonl -out BENCHMARKS.md
//
// tools/bench/train/run.sh runs both implementations alternately.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/internal/bench"
)

func main() {
	arch := flag.String("arch", "cnn", "architecture: cnn, cnn-pool or mlp")
	o := bench.Options{}
	flag.IntVar(&o.Batch, "batch", 64, "training batch size")
	flag.IntVar(&o.Steps, "steps", 10, "timed single training steps")
	flag.IntVar(&o.EpochImages, "epoch-images", 1024, "images in the timed epoch")
	flag.IntVar(&o.Probe, "probe", 64, "probe batch size for the gradient pass")
	summarize := flag.String("summarize", "", "JSON-lines results to summarise instead of measuring")
	out := flag.String("out", "BENCHMARKS.md", "with -summarize: the markdown file whose training section is rewritten")
	note := flag.String("note", "", "with -summarize: a line about the conditions (load, other processes)")
	flag.Parse()
	if err := run(*arch, o, *summarize, *out, *note); err != nil {
		fmt.Fprintln(os.Stderr, "trainbench:", err)
		os.Exit(1)
	}
}

func run(archName string, o bench.Options, summarize, out, note string) error {
	if summarize != "" {
		return bench.Summarize(summarize, out, note)
	}
	arch, err := model.ParseArch(archName)
	if err != nil {
		return err
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	fmt.Fprintf(os.Stderr, "trainbench: %s on %s\n", arch, backend.Describe(b))
	return bench.Measure(b, arch, o, func(r bench.Result) { _ = enc.Encode(r) })
}
