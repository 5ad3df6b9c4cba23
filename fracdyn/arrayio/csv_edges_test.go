package arrayio

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadCSVAsWritten reads CSV as numpy.savetxt, pandas and Excel write
// it (issue 15): whitespace and tab delimiters, a header row without '#',
// a pandas index column, a UTF-8 byte order mark with semicolons and
// quoted numbers. Each gives the same 3×2 matrix.
func TestReadCSVAsWritten(t *testing.T) {
	want := []float64{1, 2.5, -3, 4e-3, 5e10, 6}
	for _, c := range []struct {
		file      string
		opts      CSVOptions
		delimiter string
		header    []string
		indexLike bool
	}{
		{"savetxt_default.txt", CSVOptions{}, "whitespace", nil, false},
		{"savetxt_tab.tsv", CSVOptions{}, "tab", nil, false},
		{"savetxt_header.csv", CSVOptions{}, "comma", []string{"a", "b"}, false},
		{"excel_bom.csv", CSVOptions{}, "semicolon", nil, false},
		{"pandas_index.csv", CSVOptions{Index: IndexDrop}, "comma", []string{"", "a", "b"}, false},
	} {
		a, info, err := ReadCSV(filepath.Join("testdata", c.file), c.opts)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if !slices.Equal(a.Shape, []int{3, 2}) || !slices.Equal(a.Float64s(), want) {
			t.Errorf("%s: %v %v, want [3 2] %v", c.file, a.Shape, a.Data, want)
		}
		if info.Delimiter != c.delimiter || !slices.Equal(info.Header, c.header) || info.IndexLike != c.indexLike {
			t.Errorf("%s: info %+v, want delimiter %s, header %q", c.file, info, c.delimiter, c.header)
		}
	}
	// Read as it is, the pandas file keeps its index as data and says so.
	p := filepath.Join("testdata", "pandas_index.csv")
	a, info, err := ReadCSV(p, CSVOptions{})
	if err != nil || !slices.Equal(a.Shape, []int{3, 3}) || !info.IndexLike || info.HeaderLine != 1 {
		t.Fatalf("pandas_index.csv: %v %v %+v", a, err, info)
	}
	notes := strings.Join(info.Notes(p), "\n")
	for _, w := range []string{p + ": line 1 read as a header and skipped: ,a,b", p + ": the first column counts the rows", "--index-col", "--no-index-col"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	if _, info, _ := ReadCSV(p, CSVOptions{Index: IndexKeep}); info.IndexLike {
		t.Error("IndexKeep still reports the index column")
	}
	// pandas' header over integer column names: ",0,1" is a header too.
	dir := t.TempDir()
	q := filepath.Join(dir, "ints.csv")
	os.WriteFile(q, []byte(",0,1\n0,1.5,2\n1,3,4\n2,5,6\n"), 0o644)
	if a, info, err := ReadCSV(q, CSVOptions{Index: IndexDrop}); err != nil || !slices.Equal(a.Float64s(), []float64{1.5, 2, 3, 4, 5, 6}) || info.HeaderLine != 1 {
		t.Errorf("ints.csv: %v %v %+v", a, err, info)
	}
}

// TestCSVErrorsQuoteTheField: errors name the file, line and column and
// quote only the bad field, cut to 32 bytes; a long whitespace-delimited
// line is no longer printed back whole.
func TestCSVErrorsQuoteTheField(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 100)
	for _, c := range []struct{ name, text, want, not string }{
		{"word", "1 2 3\n4 oops 6\n", `line 2, column 2: "oops" is not a number`, ""},
		{"long", "1,2\n3," + long + "\n", `line 2, column 2: "` + strings.Repeat("x", 32) + `…" is not a number`, strings.Repeat("x", 33)},
		{"decimal comma", "1,5;2,5\n3,0;4,0\n", `line 1, column 1: "1,5" is not a number`, ""},
		{"empty", "1,2\n3,\n", `line 2, column 2: "" is not a number (an empty field; write a missing value as nan)`, ""},
		{"ragged", "a,b\n1,2,3\n", "line 2: 3 columns, the header (line 1) has 2 (comma-delimited)", ""},
		{"header only", "a,b\n", "no rows of numbers (line 1 is a header)", ""},
		{"drop one column", "0\n1\n2\n", "cannot drop the index column of a one-column file", ""},
	} {
		p := filepath.Join(dir, c.name+".csv")
		os.WriteFile(p, []byte(c.text), 0o644)
		opts := CSVOptions{}
		if c.name == "drop one column" {
			opts.Index = IndexDrop
		}
		_, _, err := ReadCSV(p, opts)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) ||
			(c.not != "" && strings.Contains(err.Error(), c.not)) {
			t.Errorf("%s: %v, want %q naming the file", c.name, err, c.want)
		}
	}
}
