package main

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"testing"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
)

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkSegmentTableSize analyses the model at $FRACDYN_BENCH_MODEL (a
// snapshot .npz, a run directory, ...) at every valid scale and writes
// its per-segment table as CSV (segmentHeader, as analyze-model wrote it
// before) and as Parquet with each codec, reporting the bytes of each and
// Parquet's share of the CSV. Skipped without the variable:
//
//	FRACDYN_BENCH_MODEL=/path/epoch-050.npz go test -run '^$' -bench SegmentTableSize -benchtime 1x ./cmd/fracdyn/
func BenchmarkSegmentTableSize(b *testing.B) {
	path := os.Getenv("FRACDYN_BENCH_MODEL")
	if path == "" {
		b.Skip("set FRACDYN_BENCH_MODEL to a model file or run directory")
	}
	m, err := modelfile.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	var rows []diagnose.SegmentRow
	if _, err := diagnose.Analyze(context.Background(), m, diagnose.AnalyzeOptions{AllScales: true}, func(s diagnose.SegmentRow) error {
		rows = append(rows, s)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		var c countWriter
		t0 := time.Now()
		cw := csv.NewWriter(&c)
		cw.Write(segmentHeader)
		for _, s := range rows {
			cw.Write(segmentRecord(s))
		}
		cw.Flush()
		csvBytes := c.n
		b.ReportMetric(float64(csvBytes), "csv-bytes")
		b.ReportMetric(time.Since(t0).Seconds(), "csv-s")
		b.ReportMetric(float64(len(rows)), "rows")
		for _, codec := range []segtable.Codec{segtable.Zstd, segtable.Snappy} {
			var p countWriter
			t0 := time.Now()
			if err := writeTable(&p, rows, codec); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(p.n), string(codec)+"-bytes")
			b.ReportMetric(float64(p.n)/float64(csvBytes), string(codec)+"/csv")
			b.ReportMetric(time.Since(t0).Seconds(), string(codec)+"-s")
		}
	}
}

func writeTable(w io.Writer, rows []diagnose.SegmentRow, codec segtable.Codec) error {
	tw, err := segtable.NewWriter(w, segmentMeasures, segtable.Options{Codec: codec})
	if err != nil {
		return err
	}
	for _, s := range rows {
		if err := tw.Write(segmentTableRow(s, -1)); err != nil {
			return err
		}
	}
	return tw.Close()
}
