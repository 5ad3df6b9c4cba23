package arrayio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// IndexColumn says what ReadCSV does with a first column that looks like a
// row index, as pandas' DataFrame.to_csv writes one.
type IndexColumn int

const (
	// IndexReport keeps the first column and sets CSVInfo.IndexLike when
	// it counts the rows 0, 1, 2, … or 1, 2, 3, … (at least 3 rows and 2
	// columns), so that the caller can warn.
	IndexReport IndexColumn = iota
	// IndexDrop drops the first column, whatever it holds.
	IndexDrop
	// IndexKeep keeps the first column as data and reports nothing.
	IndexKeep
)

// CSVOptions tune ReadCSV.
type CSVOptions struct {
	Index IndexColumn
}

// CSVInfo describes how ReadCSV read a file.
type CSVInfo struct {
	// Delimiter is "comma", "tab", "semicolon" or "whitespace".
	Delimiter string
	// HeaderLine is the line number of the header row skipped (0: none);
	// Header holds its fields.
	HeaderLine int
	Header     []string
	// IndexLike is set (with IndexReport) when the first column counts the
	// rows and was kept as data.
	IndexLike bool
	// IndexDropped is set when the first column was dropped (IndexDrop).
	IndexDropped bool
}

// Notes returns one sentence per thing the reader decided that the user
// should know, naming path: a header row skipped, a first column that
// looks like a row index kept or dropped.
func (in CSVInfo) Notes(path string) []string {
	var notes []string
	if in.HeaderLine > 0 {
		notes = append(notes, fmt.Sprintf("%s: line %d read as a header and skipped: %s", path, in.HeaderLine, clip(strings.Join(in.Header, in.sep()), 80)))
	}
	if in.IndexLike {
		notes = append(notes, fmt.Sprintf("%s: the first column counts the rows (0, 1, 2, … or 1, 2, 3, …) like a pandas index; "+
			"it is read as data; pass --index-col to drop it, or --no-index-col to keep it without this warning", path))
	}
	if in.IndexDropped {
		notes = append(notes, fmt.Sprintf("%s: first column dropped as a row index (--index-col)", path))
	}
	return notes
}

func (in CSVInfo) sep() string {
	switch in.Delimiter {
	case "comma":
		return ","
	case "tab":
		return "\t"
	case "semicolon":
		return ";"
	}
	return " "
}

// ReadCSVMatrix reads a CSV matrix with ReadCSV, keeping every column.
func ReadCSVMatrix(path string) (*Array, error) {
	a, _, err := ReadCSV(path, CSVOptions{Index: IndexKeep})
	return a, err
}

// ReadCSV reads a matrix of numbers, one row per line, as float64
// [rows, cols]. The delimiter is detected from the first two rows: tab,
// semicolon, comma or runs of whitespace (numpy.savetxt's default), in
// that order of preference. A UTF-8 byte order mark (Excel's) is skipped,
// as are blank lines and lines starting with '#' (numpy.savetxt's header).
// A first row holding a field that is not a number is a header row,
// skipped and reported in CSVInfo. Fields may carry surrounding spaces and
// double quotes ("1.5"); "nan", "inf" and "-inf" are accepted. A row with
// another number of fields than the first, or a field that is not a
// number, is an error naming path, the line and the column and quoting the
// field (cut to 32 bytes).
func ReadCSV(path string, opts CSVOptions) (*Array, CSVInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, CSVInfo{}, fmt.Errorf("arrayio: %w", err)
	}
	a, info, err := parseCSV(data, opts)
	if err != nil {
		return nil, info, fmt.Errorf("arrayio: %s: %w", path, err)
	}
	return a, info, nil
}

// utf8BOM is the byte order mark Excel writes at the start of UTF-8 CSV.
const utf8BOM = "\xef\xbb\xbf"

// csvLines calls fn with each line of data that is not blank or a '#'
// comment, with its 1-based number, until fn returns false.
func csvLines(data []byte, fn func(lineNo int, line []byte) bool) {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	for lineNo := 1; len(data) > 0; lineNo++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		if !fn(lineNo, line) {
			return
		}
	}
}

// detectDelimiter picks the delimiter of the first two content lines: the
// first of tab, ';' and ',' that splits both into the same number (> 1)
// of fields, else the first that appears in the first line, else
// whitespace (0).
func detectDelimiter(data []byte) byte {
	var first [][]byte
	csvLines(data, func(_ int, line []byte) bool {
		first = append(first, line)
		return len(first) < 2
	})
	if len(first) == 0 {
		return 0
	}
	cands := []byte{'\t', ';', ','}
	if len(first) == 2 {
		for _, d := range cands {
			n := len(splitFields(first[0], d))
			if n > 1 && n == len(splitFields(first[1], d)) {
				return d
			}
		}
		if n := len(splitFields(first[0], 0)); n > 1 && n == len(splitFields(first[1], 0)) {
			return 0
		}
	}
	for _, d := range cands {
		if len(splitFields(first[0], d)) > 1 {
			return d
		}
	}
	return 0
}

// splitFields splits line at delim outside double quotes, or at runs of
// whitespace when delim is 0. Fields keep their quotes and spaces.
func splitFields(line []byte, delim byte) [][]byte {
	if delim == 0 {
		return bytes.Fields(line)
	}
	var fields [][]byte
	start, quoted := 0, false
	for i, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == delim && !quoted:
			fields = append(fields, line[start:i])
			start = i + 1
		}
	}
	return append(fields, line[start:])
}

// csvField trims spaces and one pair of surrounding double quotes.
func csvField(f []byte) string {
	s := strings.TrimSpace(string(f))
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// parseNumber parses a CSV field as float64; out-of-range values become ±Inf.
func parseNumber(f string) (float64, bool) {
	v, err := strconv.ParseFloat(f, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return v, true
}

// clip quotes s, cut to at most n bytes (on a rune boundary) with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

var delimiterNames = map[byte]string{',': "comma", '\t': "tab", ';': "semicolon", 0: "whitespace"}

func parseCSV(data []byte, opts CSVOptions) (*Array, CSVInfo, error) {
	delim := detectDelimiter(data)
	info := CSVInfo{Delimiter: delimiterNames[delim]}
	var vals []float64
	cols, rows := -1, 0
	var err error
	csvLines(data, func(lineNo int, line []byte) bool {
		fields := splitFields(line, delim)
		if cols < 0 {
			cols = len(fields)
			if isHeader(fields) {
				info.HeaderLine = lineNo
				for _, f := range fields {
					info.Header = append(info.Header, csvField(f))
				}
				return true
			}
		} else if len(fields) != cols {
			what := "earlier rows have"
			if rows == 0 {
				what = fmt.Sprintf("the header (line %d) has", info.HeaderLine)
			}
			err = fmt.Errorf("line %d: %d columns, %s %d (%s-delimited)", lineNo, len(fields), what, cols, info.Delimiter)
			return false
		}
		for k, f := range fields {
			s := csvField(f)
			v, ok := parseNumber(s)
			if !ok {
				msg := fmt.Sprintf("line %d, column %d: %q is not a number", lineNo, k+1, clip(s, 32))
				switch {
				case s == "":
					msg += " (an empty field; write a missing value as nan)"
				case delim == ';' && strings.Contains(s, ","):
					msg += " (a decimal comma? write numbers with a decimal point)"
				}
				err = errors.New(msg)
				return false
			}
			vals = append(vals, v)
		}
		rows++
		return true
	})
	if err != nil {
		return nil, info, err
	}
	if rows == 0 {
		if info.HeaderLine > 0 {
			return nil, info, fmt.Errorf("no rows of numbers (line %d is a header)", info.HeaderLine)
		}
		return nil, info, fmt.Errorf("no rows")
	}
	switch opts.Index {
	case IndexDrop:
		if cols < 2 {
			return nil, info, fmt.Errorf("cannot drop the index column of a one-column file")
		}
		kept := vals[:0]
		for r := range rows {
			kept = append(kept, vals[r*cols+1:(r+1)*cols]...)
		}
		vals, cols = kept, cols-1
		info.IndexDropped = true
	case IndexReport:
		info.IndexLike = indexLike(vals, rows, cols)
	}
	return &Array{DType: Float64, Shape: []int{rows, cols}, Data: vals}, info, nil
}

// isHeader reports whether the first row is a header: a field that is not
// a number and does not start like one (a digit, sign or '.'), or pandas' header over integer column names (an
// empty index name, then 0, 1, 2, …).
func isHeader(fields [][]byte) bool {
	pandas := len(fields) > 1 && csvField(fields[0]) == ""
	for k, f := range fields {
		s := csvField(f)
		v, ok := parseNumber(s)
		if !ok && s != "" && !strings.ContainsRune("0123456789+-.", rune(s[0])) {
			return true
		}
		if k > 0 && v != float64(k-1) {
			pandas = false
		}
	}
	return pandas
}

// indexLike reports whether the first column of a rows×cols matrix counts
// 0, 1, 2, … or 1, 2, 3, … (at least 3 rows and 2 columns).
func indexLike(vals []float64, rows, cols int) bool {
	if rows < 3 || cols < 2 {
		return false
	}
	start := vals[0]
	if start != 0 && start != 1 {
		return false
	}
	for r := range rows {
		if vals[r*cols] != start+float64(r) {
			return false
		}
	}
	return true
}

// WriteCSVMatrix writes a 2-D array as comma-separated rows with the
// shortest decimal form of each value that reads back exactly; atomic.
func WriteCSVMatrix(path string, a *Array) error {
	if err := a.Validate(); err != nil || len(a.Shape) != 2 {
		return fmt.Errorf("arrayio: writing %s: need a valid 2-D array, have shape %v (%v)", path, a.Shape, err)
	}
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error { return encodeCSV(w, a) })
}

func encodeCSV(w io.Writer, a *Array) error {
	bw := bufio.NewWriter(w)
	v := a.Float64s()
	rows, cols := a.Shape[0], a.Shape[1]
	buf := make([]byte, 0, 32)
	for r := range rows {
		for c := range cols {
			if c > 0 {
				bw.WriteByte(',')
			}
			x := v[r*cols+c]
			switch {
			case math.IsNaN(x):
				bw.WriteString("nan")
			case math.IsInf(x, 1):
				bw.WriteString("inf")
			case math.IsInf(x, -1):
				bw.WriteString("-inf")
			default:
				buf = strconv.AppendFloat(buf[:0], x, 'g', -1, 64)
				bw.Write(buf)
			}
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ReadMatrix reads a 2-D array from a .npy file or a .csv file, chosen by
// the extension; a CSV file keeps all its columns.
func ReadMatrix(path string) (*Array, error) {
	a, _, err := ReadMatrixWith(path, CSVOptions{Index: IndexKeep})
	return a, err
}

// ReadMatrixWith is ReadMatrix with options for a CSV file; info describes
// how a CSV file was read (zero for .npy).
func ReadMatrixWith(path string, opts CSVOptions) (*Array, CSVInfo, error) {
	var a *Array
	var info CSVInfo
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".npy":
		a, err = ReadNPY(path)
	case ".csv", ".tsv", ".txt":
		a, info, err = ReadCSV(path, opts)
	default:
		return nil, info, fmt.Errorf("arrayio: %s: unknown matrix format %q (want .npy, or .csv, .tsv or .txt text)", path, ext)
	}
	if err != nil {
		return nil, info, err
	}
	if len(a.Shape) != 2 {
		return nil, info, fmt.Errorf("arrayio: %s: shape %v is not a matrix", path, a.Shape)
	}
	return a, info, nil
}
