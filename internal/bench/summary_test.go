package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummarize writes a section from known results twice into a file with
// other content: the medians and ratios are right, and the rest survives.
func TestSummarize(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "r.jsonl")
	lines := []string{
		`{"impl":"gomlx","arch":"cnn","what":"epoch","images":512,"seconds":2.56,"cpu_seconds":1.28}`,
		`{"impl":"gomlx","arch":"cnn","what":"epoch","images":512,"seconds":3.84,"cpu_seconds":1.28}`,
		`{"impl":"gomlx","arch":"cnn","what":"epoch","images":512,"seconds":99,"cpu_seconds":1.28}`,
		`{"impl":"pytorch-1t","arch":"cnn","what":"epoch","images":512,"seconds":1.28,"cpu_seconds":2.56}`,
		`{"impl":"pytorch-2t","arch":"cnn","what":"epoch","images":512,"seconds":5.12,"cpu_seconds":9}`,
		`{"impl":"gomlx","arch":"cnn","what":"rss","images":0,"seconds":0,"cpu_seconds":0,"peak_rss_mb":700}`,
		`not json, a log line`,
	}
	if err := os.WriteFile(results, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(dir, "BENCHMARKS.md")
	if err := os.WriteFile(md, []byte("# Benchmarks\n\n## Other\nkeep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := Summarize(results, md, "test"); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(md)
	doc := string(data)
	// Median epoch wall 3.84 s per 512 images → 60.0 s per 8,000; PyTorch 20.0 s; ratio 3.00×; CPU 20.0 vs 40.0.
	for _, want := range []string{"keep me", "| cnn | s per 8,000-image epoch | 60.0 | 20.0 | 3.00× | 20.0 | 40.0 | 0.50× | 1t | 3/1 |",
		"cnn within 6× of PyTorch: 3.00× — met", "| cnn | 700 | 0 |"} {
		if !strings.Contains(doc, want) {
			t.Errorf("BENCHMARKS.md lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "%!") {
		t.Errorf("BENCHMARKS.md has a Printf artifact (a %% written as a verb):\n%s", doc)
	}
	if strings.Count(doc, SectionBegin) != 1 || strings.Count(doc, SectionEnd) != 1 {
		t.Errorf("section written %d times", strings.Count(doc, SectionBegin))
	}
}
