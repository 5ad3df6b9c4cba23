package modelfile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// GoMLX checkpoint files, as github.com/gomlx/gomlx/pkg/ml/context/checkpoints
// (v0.26.0) writes them: DIR/checkpoint-nNNNNNNN-YYYYMMDD-HHMMSS-step-SSSSSSSS
// (or -initial) with the suffixes below.
const (
	gomlxPrefix     = "checkpoint-"
	gomlxJSONSuffix = ".json"
	gomlxBinSuffix  = ".bin"
	// gomlxVarPrefix starts every variable's ParameterName
	// (context.VariableParameterPrefix).
	gomlxVarPrefix = "var:"
	// gomlxBinHeader starts a compressed .bin: the header, one byte n, and
	// n bytes naming the compression ("gzip", the only one).
	gomlxBinHeader = "gomlx_checkpoints"
)

// gomlxDTypes maps GoMLX dtype names (dtypes.DType's JSON) to ours and
// their size in bytes. Types without a DType of ours are listed as
// skipped; sub-byte types are not accepted.
var gomlxDTypes = map[string]struct {
	dt   DType
	size int
}{
	"Bool": {Bool, 1}, "Int8": {Int8, 1}, "Int16": {Int16, 2}, "Int32": {Int32, 4}, "Int64": {Int64, 8},
	"Uint8": {Uint8, 1}, "Uint16": {"uint16", 2}, "Uint32": {"uint32", 4}, "Uint64": {"uint64", 8},
	"Float16": {Float16, 2}, "Float32": {Float32, 4}, "Float64": {Float64, 8}, "BFloat16": {BFloat16, 2},
	"Complex64": {"complex64", 8}, "Complex128": {"complex128", 16},
	"F8E5M2": {"float8_e5m2", 1}, "F8E4M3FN": {"float8_e4m3fn", 1},
}

// gomlxCheckpoint is one checkpoint of a directory: its base name (no
// suffix) and the global step its name records (-1 for "-initial" or a name
// without a step).
type gomlxCheckpoint struct {
	Base string
	Step int64
}

var gomlxStepRE = regexp.MustCompile(`-step-(\d+)$`)

// ListCheckpoints returns the GoMLX checkpoints in dir, oldest first: the
// base names of its checkpoint-*.json files sorted by name, as GoMLX's
// Handler.ListCheckpoints orders them (the names start with a zero-padded
// counter, so the last is the latest).
func ListCheckpoints(dir string) ([]string, error) {
	cks, err := listGoMLX(dir)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(cks))
	for i, c := range cks {
		out[i] = c.Base
	}
	return out, nil
}

func listGoMLX(dir string) ([]gomlxCheckpoint, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []gomlxCheckpoint
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, gomlxPrefix) || !strings.HasSuffix(n, gomlxJSONSuffix) {
			continue
		}
		base := strings.TrimSuffix(n, gomlxJSONSuffix)
		c := gomlxCheckpoint{Base: base, Step: -1}
		if m := gomlxStepRE.FindStringSubmatch(base); m != nil {
			if s, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				c.Step = s
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Base < out[j].Base })
	return out, nil
}

// isGoMLXDir reports whether dir holds GoMLX checkpoint files (a .json or
// a .bin named checkpoint-*) and is not a fracdyn run (no config.json; a
// run's own checkpoints/ subdirectories do not count).
func isGoMLXDir(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
		return false
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && strings.HasPrefix(n, gomlxPrefix) &&
			(strings.HasSuffix(n, gomlxJSONSuffix) || strings.HasSuffix(n, gomlxBinSuffix)) {
			return true
		}
	}
	return false
}

// selectCheckpoint returns the .json path of the checkpoint of dir that
// which names: "" for the latest, a step number (the checkpoint whose name
// ends in -step-N, or 0 or "initial" for the one saved before training),
// or a base name (with or without .json).
func selectCheckpoint(dir, which string) (string, error) {
	cks, err := listGoMLX(dir)
	if err != nil {
		return "", fmt.Errorf("listing GoMLX checkpoints in %s: %w", dir, err)
	}
	if len(cks) == 0 {
		var bins []string
		if m, _ := filepath.Glob(filepath.Join(dir, gomlxPrefix+"*"+gomlxBinSuffix)); len(m) > 0 {
			bins = m
		}
		if len(bins) > 0 {
			return "", fmt.Errorf("%s: GoMLX checkpoint directory without a checkpoint: %s has no %s file", dir, filepath.Base(bins[0]), gomlxJSONSuffix)
		}
		return "", fmt.Errorf("%s: GoMLX checkpoint directory without a checkpoint (no checkpoint-*.json file)", dir)
	}
	names := func() string {
		var s []string
		for _, c := range cks {
			s = append(s, c.Base)
		}
		return strings.Join(s, ", ")
	}
	which = strings.TrimSpace(which)
	switch {
	case which == "":
		return filepath.Join(dir, cks[len(cks)-1].Base+gomlxJSONSuffix), nil
	case which == "initial":
		which = "0"
	}
	if step, err := strconv.ParseInt(which, 10, 64); err == nil {
		var found []string
		for _, c := range cks {
			if c.Step == step || (step == 0 && strings.HasSuffix(c.Base, "-initial")) {
				found = append(found, c.Base)
			}
		}
		switch len(found) {
		case 0:
			return "", fmt.Errorf("%s: no GoMLX checkpoint of step %d (have %s)", dir, step, names())
		case 1:
			return filepath.Join(dir, found[0]+gomlxJSONSuffix), nil
		}
		// Several saves at one step (a resumed training): the latest.
		return filepath.Join(dir, found[len(found)-1]+gomlxJSONSuffix), nil
	}
	base := strings.TrimSuffix(filepath.Base(which), gomlxJSONSuffix)
	for _, c := range cks {
		if c.Base == base {
			return filepath.Join(dir, base+gomlxJSONSuffix), nil
		}
	}
	return "", fmt.Errorf("%s: no GoMLX checkpoint %q (have %s)", dir, which, names())
}

// gomlxJSON is a checkpoint's .json (checkpoints.serializedData).
type gomlxJSON struct {
	Params []struct {
		Scope, Key string
		Value      any
		ValueType  string
	}
	Variables []struct {
		ParameterName string
		Dimensions    []int64
		DType         string
		Pos, Length   int64
	}
	BinFormat string
}

// gomlxVar is one variable of a checkpoint: its description and where its
// bytes lie in the (uncompressed) variable data.
type gomlxVar struct {
	info     TensorInfo
	pos, len int64
}

// gomlxReader reads the variables of one GoMLX checkpoint one at a time.
type gomlxReader struct {
	jsonPath, binPath string
	vars              []gomlxVar
	byName            map[string]int
	meta              map[string]string

	f *os.File
	// dataStart is where the variable data starts in an uncompressed .bin
	// (0); gzipped marks a compressed one, read sequentially through zr,
	// zpos bytes of variable data in.
	dataStart int64
	gzipped   bool
	zr        *gzip.Reader
	zpos      int64
}

// openGoMLX opens the checkpoint whose .json is at jsonPath: it decodes and
// validates the .json, then checks that the .bin holds exactly the bytes the
// .json lists (reading a gzipped .bin through once), so that a truncated or
// mismatched pair is an error here, before anything is analysed or written.
func openGoMLX(jsonPath string) (*gomlxReader, error) {
	base := strings.TrimSuffix(jsonPath, gomlxJSONSuffix)
	r := &gomlxReader{jsonPath: jsonPath, binPath: base + gomlxBinSuffix, byName: map[string]int{}}
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		return nil, fmt.Errorf("reading GoMLX checkpoint: %w", err)
	}
	var js gomlxJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&js); err != nil {
		return nil, fmt.Errorf("%s: not a GoMLX checkpoint .json: %w", jsonPath, err)
	}
	params := map[string]string{}
	for _, p := range js.Params {
		k := p.Key
		if p.Scope != "" && p.Scope != "/" {
			k = strings.TrimPrefix(p.Scope, "/") + "/" + k
		}
		params[k] = fmt.Sprint(p.Value)
	}
	own := fracdynWeights(params)
	var want int64
	for i, v := range js.Variables {
		name, ok := strings.CutPrefix(v.ParameterName, gomlxVarPrefix)
		// A root-scope variable is "var://name" (scope "/" joined with "/").
		name = "/" + strings.TrimLeft(name, "/")
		if !ok || name == "/" {
			return nil, fmt.Errorf("%s: variable %d: ParameterName %q does not start with %q", jsonPath, i, v.ParameterName, gomlxVarPrefix)
		}
		if _, dup := r.byName[name]; dup {
			return nil, fmt.Errorf("%s: variable %q listed twice", jsonPath, name)
		}
		dt, ok := gomlxDTypes[v.DType]
		if !ok {
			return nil, fmt.Errorf("%s: variable %q: unsupported dtype %q", jsonPath, name, v.DType)
		}
		shape := make([]int, len(v.Dimensions))
		numel := int64(1)
		for k, d := range v.Dimensions {
			if d < 0 || (d > 0 && numel > math.MaxInt64/16/d) {
				return nil, fmt.Errorf("%s: variable %q: bad dimensions %v", jsonPath, name, v.Dimensions)
			}
			numel *= d
			shape[k] = int(d)
		}
		if need := numel * int64(dt.size); v.Length != need {
			return nil, fmt.Errorf("%s: variable %q: %s%v needs %d bytes, the .json gives Length %d (does not match its .bin)",
				jsonPath, name, v.DType, v.Dimensions, need, v.Length)
		}
		if v.Pos != want {
			return nil, fmt.Errorf("%s: variable %q: Pos %d, want %d (variables are stored back to back in .json order)",
				jsonPath, name, v.Pos, want)
		}
		want += v.Length
		t := TensorInfo{Name: name, DType: dt.dt, Shape: shape}
		classifyGoMLX(&t, own)
		r.byName[name] = len(r.vars)
		r.vars = append(r.vars, gomlxVar{info: t, pos: v.Pos, len: v.Length})
	}
	r.meta = map[string]string{"checkpoint": filepath.Base(base)}
	if js.BinFormat != "" {
		r.meta["bin_format"] = js.BinFormat
	}
	for k, v := range params {
		r.meta["param "+k] = v
	}
	if err := r.openBin(js.BinFormat, want); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// openBin opens the .bin, tells its compression from its header (as GoMLX
// does; the .json's BinFormat must agree) and checks it holds total bytes
// of variable data.
func (r *gomlxReader) openBin(binFormat string, total int64) error {
	f, err := os.Open(r.binPath)
	if err != nil {
		return fmt.Errorf("GoMLX checkpoint %s: %w", r.jsonPath, err)
	}
	r.f = f
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", r.binPath, err)
	}
	head := make([]byte, len(gomlxBinHeader)+1)
	n, _ := io.ReadFull(f, head)
	if n == len(head) && string(head[:len(gomlxBinHeader)]) == gomlxBinHeader {
		comp := make([]byte, head[len(gomlxBinHeader)])
		if _, err := io.ReadFull(f, comp); err != nil {
			return fmt.Errorf("%s: truncated .bin: the header ends early", r.binPath)
		}
		if string(comp) != "gzip" {
			return fmt.Errorf("%s: unsupported compression %q (GoMLX writes gzip or uncompressed)", r.binPath, comp)
		}
		r.dataStart = int64(len(head) + len(comp))
		r.gzipped = true
	}
	switch {
	case binFormat == "gzip" && !r.gzipped:
		return fmt.Errorf("%s: the .json says BinFormat gzip but %s has no gzip header (does not match its .bin)", r.jsonPath, r.binPath)
	case binFormat == "uncompressed" && r.gzipped:
		return fmt.Errorf("%s: the .json says BinFormat uncompressed but %s is gzip-compressed (does not match its .bin)", r.jsonPath, r.binPath)
	case binFormat != "" && binFormat != "gzip" && binFormat != "uncompressed":
		return fmt.Errorf("%s: unknown BinFormat %q (want gzip or uncompressed)", r.jsonPath, binFormat)
	}
	have := st.Size() - r.dataStart
	if r.gzipped {
		// The uncompressed size is known only by reading the stream through
		// (which also checks its CRC).
		if have, err = r.skip(math.MaxInt64); err != nil {
			return err
		}
	}
	if have != total {
		return r.sizeError(have, total)
	}
	return nil
}

// sizeError says how the .bin's have bytes of variable data disagree with
// the total the .json lists, naming the first variable that lies past the
// end of the data.
func (r *gomlxReader) sizeError(have, total int64) error {
	if have > total {
		return fmt.Errorf("%s: holds %d bytes of variable data, its .json %s lists %d (the .json does not match its .bin)",
			r.binPath, have, filepath.Base(r.jsonPath), total)
	}
	for _, v := range r.vars {
		if v.pos+v.len > have {
			return fmt.Errorf("%s: truncated .bin: %d bytes of variable data, variable %q needs bytes %d to %d (the .json lists %d)",
				r.binPath, have, v.info.Name, v.pos, v.pos+v.len, total)
		}
	}
	return fmt.Errorf("%s: truncated .bin: %d bytes of variable data, the .json lists %d", r.binPath, have, total)
}

// skip advances the gzip stream by n bytes of variable data (to its end
// when n is larger) and returns how many bytes it skipped.
func (r *gomlxReader) skip(n int64) (int64, error) {
	if r.zr == nil {
		if err := r.rewind(); err != nil {
			return 0, err
		}
	}
	k, err := io.CopyN(io.Discard, r.zr, n)
	r.zpos += k
	if err == io.EOF {
		err = nil
	}
	if err != nil {
		return k, fmt.Errorf("%s: truncated or corrupt .bin: gzip stream fails after %d bytes of variable data: %w", r.binPath, r.zpos, err)
	}
	return k, nil
}

// rewind restarts the gzip stream at the first byte of variable data.
func (r *gomlxReader) rewind() error {
	if _, err := r.f.Seek(r.dataStart, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", r.binPath, err)
	}
	zr, err := gzip.NewReader(r.f)
	if err != nil {
		return fmt.Errorf("%s: truncated or corrupt .bin: gzip header: %w", r.binPath, err)
	}
	r.zr, r.zpos = zr, 0
	return nil
}

func (r *gomlxReader) tensors() []TensorInfo {
	out := make([]TensorInfo, len(r.vars))
	for i, v := range r.vars {
		out[i] = v.info
	}
	return out
}

// readFloat32 decodes variable name as stored (GoMLX's layout) into a new
// slice. An uncompressed .bin is read at the variable's offset; a gzipped
// one is read forwards from where the last read stopped (rewinding only
// when asked for an earlier variable), so reading variables in .json order
// decompresses the file once. Memory beyond the result stays below
// chunkBytes.
func (r *gomlxReader) readFloat32(name string) ([]float32, error) {
	i, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: no variable %q", r.jsonPath, name)
	}
	v := r.vars[i]
	dt := v.info.DType
	es := dt.Size()
	if es == 0 || !v.info.DType.Float() && !isIntDType(dt) {
		return nil, fmt.Errorf("%s: variable %q: dtype %s is not decoded", r.jsonPath, name, dt)
	}
	n := int(v.len / int64(es))
	out := make([]float32, n)
	per := chunkBytes / es
	buf := make([]byte, min(n, per)*es)
	if r.gzipped {
		if v.pos < r.zpos || r.zr == nil {
			if err := r.rewind(); err != nil {
				return nil, err
			}
		}
		if _, err := r.skip(v.pos - r.zpos); err != nil {
			return nil, fmt.Errorf("variable %q: %w", name, err)
		}
	}
	for done := 0; done < n; {
		k := min(n-done, per)
		b := buf[:k*es]
		var err error
		if r.gzipped {
			var m int
			m, err = io.ReadFull(r.zr, b)
			r.zpos += int64(m)
		} else {
			_, err = r.f.ReadAt(b, r.dataStart+v.pos+int64(done*es))
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("%s: reading variable %q: %w", r.binPath, name, err)
		}
		if err := decodeFloat32(out[done:done+k], b, dt); err != nil {
			return nil, fmt.Errorf("%s: variable %q: %w", r.binPath, name, err)
		}
		done += k
	}
	return out, nil
}

func isIntDType(d DType) bool {
	return d == Int64 || d == Int32 || d == Int16 || d == Int8 || d == Uint8 || d == Bool
}

func (r *gomlxReader) metadata() map[string]string { return r.meta }

func (r *gomlxReader) close() error {
	if r.zr != nil {
		r.zr.Close()
		r.zr = nil
	}
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// openGoMLXPath opens the checkpoint at path: a checkpoint directory (the
// one which picks, see Options.Checkpoint) or one checkpoint's .json.
func openGoMLXPath(path, which string) (*gomlxReader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	jsonPath := path
	if st.IsDir() {
		if jsonPath, err = selectCheckpoint(path, which); err != nil {
			return nil, err
		}
	} else if which != "" {
		return nil, fmt.Errorf("%s: a checkpoint was picked (%q) but the path is already one checkpoint's .json", path, which)
	}
	return openGoMLX(jsonPath)
}
