package main

import (
	"context"
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/shard"
)

func init() {
	register(&command{
		name:    "merge",
		args:    "OUT",
		summary: "assemble the shards under OUT/shards (analyze, analyze-model, sweep --shard K/N) into OUT, as one process writes it",
		run:     runMerge,
	})
}

func runMerge(ctx context.Context, args []string) error {
	fs := newFlagSet(commands["merge"])
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("want one OUT directory, got %d arguments", fs.NArg())
	}
	m, err := shard.Merge(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Printf("merged %d shards of %s (%d items) into %s\n", m.Count, m.Command, len(m.Items), fs.Arg(0))
	return nil
}
