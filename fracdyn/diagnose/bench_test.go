package diagnose

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
)

// writeLargeSafetensors streams count F32 tensors of rows×cols Gaussian
// values to path without holding them in memory.
func writeLargeSafetensors(path string, count, rows, cols int) error {
	header := map[string]any{}
	size := int64(rows * cols * 4)
	for i := range count {
		header[fmt.Sprintf("layers.%d.embed.weight", i)] = map[string]any{
			"dtype": "F32", "shape": []int{rows, cols}, "data_offsets": []int64{int64(i) * size, int64(i+1) * size}}
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	binary.Write(w, binary.LittleEndian, uint64(len(hj)))
	w.Write(hj)
	rng := rand.New(rand.NewPCG(1, 2))
	var b [4]byte
	for range count * rows * cols {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(float32(rng.NormFloat64())))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// peakRSS returns the process's peak resident set (VmHWM) in MiB, or NaN
// where /proc is not available.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return math.NaN()
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return math.NaN()
}

// BenchmarkAnalyzeLarge analyses a generated safetensors file of
// $FRACDYN_BENCH_MB MiB (default 64) made of [rows,64] F32 tensors of
// 128 MiB each (one smaller tensor for small sizes), layer by layer, and
// reports the process's peak RSS. The streaming claim — a 1 GiB file in
// under 2 GiB RSS — is checked with
//
//	FRACDYN_BENCH_MB=1024 go test -run '^$' -bench AnalyzeLarge -benchtime 1x ./fracdyn/diagnose/
//
// (see the package documentation for the numbers measured).
func BenchmarkAnalyzeLarge(b *testing.B) {
	mb := 64
	if s := os.Getenv("FRACDYN_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil || mb < 1 {
			b.Fatalf("bad FRACDYN_BENCH_MB %q", s)
		}
	}
	const cols = 64
	count, rows := mb/128, 128<<20/4/cols
	if count == 0 {
		count, rows = 1, mb<<20/4/cols
	}
	path := filepath.Join(b.TempDir(), "large.safetensors")
	if err := writeLargeSafetensors(path, count, rows, cols); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	before := peakRSS()
	b.ResetTimer()
	for range b.N {
		m, err := modelfile.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		// Without nulls: their draws hold a tensor-sized buffer per worker
		// (BENCHMARKS.md, "Null models").
		reports, err := Analyze(context.Background(), m, AnalyzeOptions{NullDraws: -1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range reports {
			if r.Err != "" {
				b.Fatal(r.Err)
			}
		}
		m.Close()
	}
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
	b.ReportMetric(before, "RSS-before-MiB")
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
}
