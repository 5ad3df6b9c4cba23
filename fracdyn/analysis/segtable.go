package analysis

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
)

// segmentMeasures are the measure columns of the per-segment Parquet
// table: segmentHeader's columns after the position columns.
func segmentMeasures() []string {
	var out []string
	for _, m := range fractal.Methods() {
		out = append(out, "fd_"+string(m), "r2_"+string(m))
	}
	return append(out, "entropy", "a_norm", "alpha_norm", "grad_norm")
}

// writeSegmentsParquet writes the per-segment table of one epoch as
// Parquet (fracdyn/segtable): the rows and values of writeSegments, with
// the matrix index of each segment added.
func writeSegmentsParquet(path string, epoch int, layers []*layerScale) error {
	return segtable.WriteFile(path, segmentMeasures(), segtable.Options{}, func(w *segtable.Writer) error {
		for _, ls := range layers {
			if err := writeSegmentRows(w, epoch, ls); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeSegmentRows writes the rows of one layer at one scale to w.
func writeSegmentRows(w *segtable.Writer, epoch int, ls *layerScale) error {
	cols := ls.measureColumns()
	meas := make([]float32, len(cols))
	seg := ls.layer.Segments
	q := seg.PerMatrix()
	for s := range seg.Len() {
		id := seg.Segment(s)
		segmentValues(meas, cols, s)
		err := w.Write(segtable.Row{Epoch: int32(epoch), Layer: ls.layer.Info.Name, R: int32(seg.R), Matrix: int32(s / q),
			Neuron: int32(id.Neuron), Channel: int32(id.Channel), Row: int32(id.Row), Col: int32(id.Col), Measures: meas})
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadSegments reads the per-segment table of one epoch of the analysed
// run in runDir (RUN/analysis/segments/epoch-NNN.parquet): the measure
// column names (fd_METHOD, r2_METHOD, entropy, a_norm, alpha_norm,
// grad_norm) and one segtable.Row per segment per scale, in the order
// Analyze wrote them (by r, then layer, then segment).
func ReadSegments(runDir string, epoch int) (measures []string, rows []segtable.Row, err error) {
	path := filepath.Join(runDir, Dir, SegmentsDir, fmt.Sprintf("epoch-%03d.parquet", epoch))
	measures, rows, err = segtable.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("analysis: segments of epoch %d: %w", epoch, err)
	}
	return measures, rows, nil
}

// rowWriter streams the segment rows of measured layer scales into the
// table on a goroutine of its own, so that the serial Parquet encoding runs
// beside the nulls and graphs of the scales that follow. At most a few
// layer scales wait in its queue.
type rowWriter struct {
	queue   chan *layerScale
	done    chan error
	seconds float64 // time spent writing; read after wait
}

func startRowWriter(w *segtable.Writer, epoch int) *rowWriter {
	rw := &rowWriter{queue: make(chan *layerScale, 4), done: make(chan error, 1)}
	go func() {
		var err error
		for ls := range rw.queue {
			if err == nil { // after an error, drain the queue
				start := time.Now()
				err = writeSegmentRows(w, epoch, ls)
				rw.seconds += time.Since(start).Seconds()
			}
		}
		rw.done <- err
	}()
	return rw
}

// write queues the rows of ls.
func (rw *rowWriter) write(ls *layerScale) { rw.queue <- ls }

// wait waits until every queued row is written and returns the first error.
func (rw *rowWriter) wait() error {
	close(rw.queue)
	return <-rw.done
}
