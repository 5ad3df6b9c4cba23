package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

func init() {
	register(&command{
		name:    "scales",
		args:    "N M",
		summary: "list the valid segment scales r of an N×M matrix and the segment counts",
		run:     runScales,
	})
}

// scalesOut receives the output of "fracdyn scales"; tests replace it.
var scalesOut io.Writer = os.Stdout

// scaleRow is one valid scale in "fracdyn scales --json".
type scaleRow struct {
	R           int  `json:"r"`
	RowSegments int  `json:"row_segments"`
	ColSegments int  `json:"col_segments"`
	Segments    int  `json:"segments"`
	Overlap     bool `json:"overlap"`
}

func runScales(ctx context.Context, args []string) error {
	c := commands["scales"]
	fs := newFlagSet(c)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 2, "two sizes N M"); err != nil {
		return err
	}
	var nm [2]int
	for i, a := range pos {
		v, err := strconv.Atoi(a)
		if err != nil || v < 1 {
			return usageErrorf("matrix size %q is not a positive integer", a)
		}
		nm[i] = v
	}
	n, m := nm[0], nm[1]
	rs := fractal.ValidScales(n, m)
	if len(rs) == 0 {
		return fmt.Errorf("a %d×%d matrix has no valid scale: the shorter side must be at least 3", n, m)
	}
	rows := make([]scaleRow, len(rs))
	for i, r := range rs {
		rows[i] = scaleRow{R: r, RowSegments: (n + r - 1) / r, ColSegments: (m + r - 1) / r,
			Segments: fractal.SegmentCount(n, m, r), Overlap: n%r != 0 || m%r != 0}
	}
	if *asJSON {
		enc := json.NewEncoder(scalesOut)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			N      int        `json:"n"`
			M      int        `json:"m"`
			MinR   int        `json:"min_r"`
			MaxR   int        `json:"max_r"`
			Scales []scaleRow `json:"scales"`
		}{n, m, rs[0], rs[len(rs)-1], rows})
	}
	fmt.Fprintf(scalesOut, "valid scales of a %d×%d matrix: r = %d..%d\n", n, m, rs[0], rs[len(rs)-1])
	tw := tabwriter.NewWriter(scalesOut, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "r\trow segs\tcol segs\tsegments\toverlap\t")
	for _, s := range rows {
		ov := "no"
		if s.Overlap {
			ov = "yes"
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t\n", s.R, s.RowSegments, s.ColSegments, s.Segments, ov)
	}
	return tw.Flush()
}
