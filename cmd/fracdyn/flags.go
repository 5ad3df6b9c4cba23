package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// helpOut receives help and version text (standard output); tests replace it.
var helpOut io.Writer = os.Stdout

// flagSet is a flag.FlagSet whose Parse accepts flags before, between and
// after the positional arguments, as pflag does: "fracdyn analyze RUN
// --epochs 5" means "fracdyn analyze --epochs 5 RUN". A "--" ends the
// flags; everything after it is positional. Args, NArg and Arg return the
// positional arguments. -h prints the help to stdout; a bad flag is a
// usage error (exit status 2).
type flagSet struct {
	*flag.FlagSet
	name string   // the command, for messages
	pos  []string // positional arguments, after Parse
}

// Parse parses args, interspersed flags and positional arguments. It
// returns flag.ErrHelp after printing the help for -h, -help and --help,
// and an error wrapping errUsage for an unknown or malformed flag.
func (fs *flagSet) Parse(args []string) error {
	flags, pos := fs.split(args)
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.FlagSet.Parse(flags)
	fs.SetOutput(nil)
	switch {
	case errors.Is(err, flag.ErrHelp):
		helpOut.Write(buf.Bytes())
		return err
	case err != nil:
		return usageErrorf("%v (run 'fracdyn %s -h' for its flags)", err, fs.name)
	}
	// split sent every token that looks like a flag to flag.Parse, so
	// nothing is left over; fs.FlagSet.Args() is empty.
	fs.pos = append(pos, fs.FlagSet.Args()...)
	return nil
}

// split separates args into flag tokens (with the values of flags that
// take one) and positional arguments. "-" alone is positional; "--" ends
// the flags. An unknown flag is kept as a flag token so that flag.Parse
// reports it.
func (fs *flagSet) split(args []string) (flags, pos []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(pos, args[i+1:]...)
		case len(a) < 2 || a[0] != '-':
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, pos
}

// Args returns the positional arguments.
func (fs *flagSet) Args() []string { return fs.pos }

// NArg returns the number of positional arguments.
func (fs *flagSet) NArg() int { return len(fs.pos) }

// Arg returns the i-th positional argument, or "" when there is none.
func (fs *flagSet) Arg(i int) string {
	if i < 0 || i >= len(fs.pos) {
		return ""
	}
	return fs.pos[i]
}

// parseArgs parses args with fs and returns the positional arguments.
func parseArgs(fs *flagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return fs.Args(), nil
}

// wantArgs checks that there are exactly n positional arguments, described
// by what ("one run directory"). Too many is a usage error quoting the
// first stray argument, too few one saying what is missing.
func wantArgs(pos []string, n int, what string) error {
	switch {
	case len(pos) == n+1:
		return usageErrorf("want %s; unexpected argument %q", what, pos[n])
	case len(pos) > n:
		return usageErrorf("want %s; unexpected arguments %s", what, quoteAll(pos[n:]))
	case len(pos) < n:
		return usageErrorf("want %s, got %d argument(s)", what, len(pos))
	}
	return nil
}

// quoteAll quotes each of args and joins them with ", ".
func quoteAll(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, ", ")
}
