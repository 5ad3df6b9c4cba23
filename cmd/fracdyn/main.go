// Command fracdyn trains the paper's CNN with snapshots, measures the fractal
// geometry of its weights, and draws the paper's figures.
//
// Run "fracdyn help" for the list of subcommands and "fracdyn CMD -h" for the
// flags of one. Each subcommand lives in its own cmd_*.go file and registers
// itself in init.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"syscall"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/mnist"
	"github.com/gomlx/gomlx/backends"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// command is one subcommand of fracdyn.
type command struct {
	name    string // as typed: "train"
	args    string // synopsis of positional arguments: "RUN"
	summary string // one line for "fracdyn help"
	// run executes the command with the arguments after its name. Its
	// context is cancelled on Ctrl-C or SIGTERM.
	run func(ctx context.Context, args []string) error
}

var commands = map[string]*command{}

// register adds c to the subcommands; it is called from init functions.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("fracdyn: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// newFlagSet returns a flag set for c whose -h output names the command,
// its synopsis and its summary. Its Parse accepts flags anywhere among the
// positional arguments.
func newFlagSet(c *command) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(c.name, flag.ContinueOnError), name: c.name}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: fracdyn %s [flags] %s\n\n%s\n\nflags (before, between or after the arguments; -- ends them):\n", c.name, c.args, c.summary)
		fs.PrintDefaults()
	}
	return fs
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "fracdyn reads the dynamics of deep networks through fractal geometry.\n\n")
	fmt.Fprintf(w, "usage: fracdyn COMMAND [flags] [args]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun 'fracdyn COMMAND -h' for a command's flags (they may come before or after\n")
	fmt.Fprintf(w, "its arguments; -- ends them), 'fracdyn --version' for the version.\n")
	fmt.Fprintf(w, "The backend is the pure-Go \"go\" unless GOMLX_BACKEND says otherwise.\n")
}

func main() {
	os.Exit(Main(os.Args[1:], os.Stderr))
}

// Main runs the command line args and returns the process exit code:
// 0 on success, 1 on a failed command, 2 on a usage error, 130 on Ctrl-C.
func Main(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				// Each command prints its own flags on -h.
				if err := c.run(context.Background(), []string{"-h"}); err != nil && !errors.Is(err, flag.ErrHelp) {
					fmt.Fprintf(stderr, "fracdyn %s: %v\n", c.name, err)
				}
				return 0
			}
		}
		usage(helpOut)
		return 0
	case "version", "-version", "--version":
		bi, _ := debug.ReadBuildInfo()
		fmt.Fprint(helpOut, versionText(bi))
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "fracdyn: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if plainGo[c.name] && !isHelp(args[1:]) {
		fmt.Fprintf(stderr, "backend: none (fracdyn %s computes in plain Go)\n", c.name)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal the command winds down; a second one ends the
	// process at once (the default action), should winding down hang.
	go func() { <-ctx.Done(); stop() }()
	stopProfile, err := startCPUProfile(os.Getenv("FRACDYN_CPUPROFILE"))
	if err != nil {
		fmt.Fprintf(stderr, "fracdyn %s: %v\n", c.name, err)
		return 1
	}
	err = c.run(ctx, args[1:])
	if perr := stopProfile(); perr != nil && err == nil {
		err = perr
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "fracdyn %s: %v\n", c.name, err)
		return 2
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintf(stderr, "fracdyn %s: interrupted; files written so far are consistent\n", c.name)
		return 130
	default:
		fmt.Fprintf(stderr, "fracdyn %s: %v\n", c.name, err)
		return 1
	}
}

// startCPUProfile writes a pprof CPU profile of the command to path when
// path is not empty (FRACDYN_CPUPROFILE); the returned function ends it.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("FRACDYN_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("FRACDYN_CPUPROFILE %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("FRACDYN_CPUPROFILE %s: %w", path, err)
		}
		return nil
	}, nil
}

// plainGo names the commands that run no GoMLX graph. Every other command
// prints the backend it runs on; these say that they use none.
var plainGo = map[string]bool{"data": true, "scales": true, "fd": true, "attractor": true,
	"inspect": true, "export": true, "compare": true}

// isHelp reports whether args ask for a command's help.
func isHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// errUsage marks errors in how a command was called.
var errUsage = errors.New("usage error")

// usageErrorf returns an error wrapping errUsage with a message.
func usageErrorf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// backendAndData starts the backend and loads the dataset the parameters
// name, printing the backend and the data's notes (a partial set says so).
func backendAndData(ctx context.Context, params *mlctx.Context, dir string, download bool) (backends.Backend, *mnist.Data, error) {
	b, err := backend.New()
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", backend.Describe(b))
	data, err := run.LoadData(ctx, params, dir, download, os.Stderr)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range data.Notes {
		fmt.Fprintf(os.Stderr, "data: %s\n", n)
	}
	return b, data, nil
}
