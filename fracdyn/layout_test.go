package fracdyn

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is the import path of the module; the repository root is "..".
const module = "github.com/fracdyn/fracdyn"

// pkgInfo is what the layout check needs of one package: its directory
// (relative to the module root, slash-separated), its name, the module
// packages its non-test files import, and its package comment.
type pkgInfo struct {
	Dir, Name string
	Imports   []string // module-relative: "fracdyn/fractal", "mnist"
	Doc       string
}

// readPackages parses every package of the module under root (skipping
// testdata, hidden directories and files that do not build: _test.go and
// //go:build ignore) for its imports and package comment.
func readPackages(root string) (map[string]*pkgInfo, error) {
	pkgs := map[string]*pkgInfo{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		for _, c := range f.Comments {
			if c.Pos() < f.Package && strings.Contains(c.Text(), "go:build ignore") {
				return nil // a generator, run by go generate
			}
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		p := pkgs[rel]
		if p == nil {
			p = &pkgInfo{Dir: rel, Name: f.Name.Name}
			pkgs[rel] = p
		}
		if f.Doc != nil {
			p.Doc += f.Doc.Text()
		}
		for _, im := range f.Imports {
			ip, err := strconv.Unquote(im.Path.Value)
			if err != nil {
				return err
			}
			if dep, ok := strings.CutPrefix(ip, module+"/"); ok && !slices.Contains(p.Imports, dep) {
				p.Imports = append(p.Imports, dep)
			}
		}
		return nil
	})
	return pkgs, err
}

// layerTable parses the package table of doc.go: the lines after the
// header "layer  package  holds", each "N  path  description", up to the
// first line that is not one. A path ending in "/..." stands for every
// package under it.
func layerTable(doc string) (map[string]int, error) {
	layers := map[string]int{}
	in := false
	for _, line := range strings.Split(doc, "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "//"))
		if !in {
			in = len(f) >= 2 && f[0] == "layer" && f[1] == "package"
			continue
		}
		if len(f) < 2 {
			break
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, fmt.Errorf("package table: %q: layer %q is not a number", line, f[0])
		}
		if _, dup := layers[f[1]]; dup {
			return nil, fmt.Errorf("package table: %s listed twice", f[1])
		}
		layers[f[1]] = n
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("no package table (a line \"layer  package  holds\")")
	}
	return layers, nil
}

// layerOf returns the layer of the module package dir: its own entry or
// that of the nearest "prefix/..." entry above it.
func layerOf(layers map[string]int, dir string) (int, bool) {
	if n, ok := layers[dir]; ok {
		return n, true
	}
	for d := dir; d != "." && d != ""; d = filepath.ToSlash(filepath.Dir(d)) {
		if n, ok := layers[d+"/..."]; ok {
			return n, true
		}
	}
	return 0, false
}

// checkLayout returns every breach of the layout: a package the table
// does not list, a table entry that is no package, an import of a package
// in the same or a higher layer, and a package without a package comment
// ("Package NAME ..." or, for a command, "Command NAME ...").
func checkLayout(pkgs map[string]*pkgInfo, layers map[string]int) []string {
	var errs []string
	for _, dir := range slices.Sorted(func(yield func(string) bool) {
		for d := range pkgs {
			if !yield(d) {
				return
			}
		}
	}) {
		p := pkgs[dir]
		n, ok := layerOf(layers, dir)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: not in the package table of doc.go", dir))
			continue
		}
		for _, dep := range p.Imports {
			m, ok := layerOf(layers, dep)
			switch {
			case !ok:
				errs = append(errs, fmt.Sprintf("%s imports %s, which is not in the package table", dir, dep))
			case m >= n:
				errs = append(errs, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports must point to a lower layer", dir, n, dep, m))
			}
		}
		want := "Package " + p.Name + " "
		if p.Name == "main" {
			want = "Command " + filepath.Base(dir) + " "
		}
		if !strings.HasPrefix(p.Doc, want) {
			errs = append(errs, fmt.Sprintf("%s: package comment does not start %q (go doc shows %q)", dir, want, firstLine(p.Doc)))
		}
	}
	for entry := range layers {
		if base, ok := strings.CutSuffix(entry, "/..."); ok {
			found := false
			for d := range pkgs {
				found = found || strings.HasPrefix(d, base+"/")
			}
			if !found {
				errs = append(errs, fmt.Sprintf("package table lists %s: no package there", entry))
			}
		} else if pkgs[entry] == nil {
			errs = append(errs, fmt.Sprintf("package table lists %s: no such package", entry))
		}
	}
	slices.Sort(errs)
	return errs
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestLayout checks the module's packages against the table of doc.go.
func TestLayout(t *testing.T) {
	pkgs, err := readPackages("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 || pkgs["fracdyn/fractal"] == nil || pkgs["cmd/fracdyn"] == nil {
		t.Fatalf("read %d packages; fracdyn/fractal %v, cmd/fracdyn %v", len(pkgs), pkgs["fracdyn/fractal"] != nil, pkgs["cmd/fracdyn"] != nil)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	layers, err := layerTable(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range checkLayout(pkgs, layers) {
		t.Error(e)
	}
	// README.md shows the same table: "| N | `path` | holds |".
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]int{}
	for _, line := range strings.Split(string(readme), "\n") {
		f := strings.Split(line, "|")
		if len(f) < 4 {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(f[1]))
		path, ok := strings.CutPrefix(strings.TrimSpace(f[2]), "`")
		if err == nil && ok {
			shown[strings.TrimSuffix(path, "`")] = n
		}
	}
	if !maps.Equal(shown, layers) {
		t.Errorf("README.md's package table %v differs from doc.go's %v", shown, layers)
	}
}

// TestCheckLayoutFindsBreaches runs the check on a made-up module: each
// kind of breach is reported, and a module without one passes.
func TestCheckLayoutFindsBreaches(t *testing.T) {
	layers, err := layerTable(`// Packages:
//
//	layer  package           holds
//	0      internal/fsutil   atomic writes
//	1      mnist             data
//	1      fracdyn/fractal   estimators
//	2      fracdyn/analysis  analysis
//	3      cmd/fracdyn       the command line
//	3      tools/bench/...   benchmarks
//	3      fracdyn/gone      a package that was removed
//
// More text.`)
	if err != nil {
		t.Fatal(err)
	}
	doc := func(name string) string { return "Package " + name + " does something.\n" }
	good := func() map[string]*pkgInfo {
		return map[string]*pkgInfo{
			"internal/fsutil":  {Name: "fsutil", Doc: doc("fsutil")},
			"mnist":            {Name: "mnist", Imports: []string{"internal/fsutil"}, Doc: doc("mnist")},
			"fracdyn/fractal":  {Name: "fractal", Doc: doc("fractal")},
			"fracdyn/analysis": {Name: "analysis", Imports: []string{"fracdyn/fractal", "mnist"}, Doc: doc("analysis")},
			"cmd/fracdyn":      {Name: "main", Imports: []string{"fracdyn/analysis"}, Doc: "Command fracdyn runs.\n"},
			"tools/bench/x":    {Name: "main", Imports: []string{"fracdyn/fractal"}, Doc: "Command x times.\n"},
			"fracdyn/gone":     {Name: "gone", Doc: doc("gone")},
		}
	}
	if errs := checkLayout(good(), layers); len(errs) != 0 {
		t.Fatalf("a module without breaches: %q", errs)
	}
	for _, c := range []struct {
		name string
		edit func(map[string]*pkgInfo)
		want string
	}{
		{"upward import", func(p map[string]*pkgInfo) { p["fracdyn/fractal"].Imports = []string{"fracdyn/analysis"} },
			"fracdyn/fractal (layer 1) imports fracdyn/analysis (layer 2)"},
		{"same layer", func(p map[string]*pkgInfo) { p["mnist"].Imports = append(p["mnist"].Imports, "fracdyn/fractal") },
			"mnist (layer 1) imports fracdyn/fractal (layer 1)"},
		{"internal imports up", func(p map[string]*pkgInfo) { p["internal/fsutil"].Imports = []string{"mnist"} },
			"internal/fsutil (layer 0) imports mnist (layer 1)"},
		{"a fracdyn package imports the command", func(p map[string]*pkgInfo) { p["fracdyn/analysis"].Imports = []string{"cmd/fracdyn"} },
			"fracdyn/analysis (layer 2) imports cmd/fracdyn (layer 3)"},
		{"unlisted package", func(p map[string]*pkgInfo) { p["fracdyn/extra"] = &pkgInfo{Name: "extra", Doc: doc("extra")} },
			"fracdyn/extra: not in the package table"},
		{"listed but gone", func(p map[string]*pkgInfo) { delete(p, "fracdyn/gone") },
			"package table lists fracdyn/gone: no such package"},
		{"no package comment", func(p map[string]*pkgInfo) { p["fracdyn/fractal"].Doc = "" },
			`fracdyn/fractal: package comment does not start "Package fractal "`},
		{"command comment", func(p map[string]*pkgInfo) { p["cmd/fracdyn"].Doc = "Package main is the CLI.\n" },
			`cmd/fracdyn: package comment does not start "Command fracdyn "`},
	} {
		pkgs := good()
		c.edit(pkgs)
		errs := checkLayout(pkgs, layers)
		if len(errs) != 1 || !strings.Contains(errs[0], c.want) {
			t.Errorf("%s: %q, want one error with %q", c.name, errs, c.want)
		}
	}
	if _, err := layerTable("// no table here\n"); err == nil {
		t.Error("a doc without a table: no error")
	}
}
