package mnist

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultPartialEval is the number of the 10,000 test images kept for
// evaluation when only the test files are present and Options.EvalImages
// is 0.
const DefaultPartialEval = 2000

// EnvDataDir names the environment variable searched after Options.Dir.
const EnvDataDir = "FRACDYN_DATA"

// Options says which data to load and from where.
type Options struct {
	Dir        string    // directory holding the IDX files; searched first (the CLI's --data)
	Dataset    string    // MNIST ("mnist", the default) or FashionMNIST ("fashion-mnist")
	Download   bool      // fetch missing files from the mirrors
	Seed       int64     // fixes the partial-set split and the eval subset
	EvalImages int       // eval images: partial sets default to DefaultPartialEval; full sets to all 10,000
	Progress   io.Writer // download progress; nil is silent
}

// Data is a loaded dataset split into training and evaluation sets.
type Data struct {
	Train, Eval *Set
	Dataset     string   // "mnist" or "fashion-mnist"
	Dir         string   // directory the files came from
	Partial     bool     // only the 10,000 test images were found and split
	Notes       []string // what was found and done; say Partial loudly
}

// Candidate is one directory in the search order.
type Candidate struct {
	Dir    string
	Source string   // why it is searched: "--data", "$FRACDYN_DATA", "user cache", "Debian package"
	Exists bool     // the directory exists
	Paths  []string // paths of the dataset's files found there, in canonical order; "" where missing
}

// Full reports whether all four files are present.
func (c Candidate) Full() bool { return !slices.Contains(c.Paths, "") }

// HasTest reports whether the two test-set files are present.
func (c Candidate) HasTest() bool { return c.Paths[2] != "" && c.Paths[3] != "" }

// Candidates returns the directories Load searches for the dataset, in
// order: opts.Dir, $FRACDYN_DATA, os.UserCacheDir()/fracdyn/<dataset>, then
// distribution directories (Fashion-MNIST: /usr/share/datasets/fashion-mnist
// from Debian's dataset-fashion-mnist). Each reports which files it holds.
func Candidates(opts Options) ([]Candidate, error) {
	spec, err := lookupDataset(opts.Dataset)
	if err != nil {
		return nil, err
	}
	return candidates(opts, spec), nil
}

func candidates(opts Options, spec *datasetSpec) []Candidate {
	var cs []Candidate
	add := func(dir, source string) {
		if dir == "" {
			return
		}
		for _, c := range cs {
			if c.Dir == dir {
				return
			}
		}
		c := Candidate{Dir: dir, Source: source, Paths: make([]string, len(spec.Files))}
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			c.Exists = true
			for i, f := range spec.Files {
				for _, name := range []string{f.Name, f.rawName()} {
					p := filepath.Join(dir, name)
					if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
						c.Paths[i] = p
						break
					}
				}
			}
		}
		cs = append(cs, c)
	}
	add(opts.Dir, "--data")
	add(os.Getenv(EnvDataDir), "$"+EnvDataDir)
	add(cacheDir(spec), "user cache")
	for _, d := range spec.System {
		add(d, "Debian package")
	}
	return cs
}

// cacheDir is os.UserCacheDir()/fracdyn/<dataset>, or "" without a cache.
func cacheDir(spec *datasetSpec) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "fracdyn", spec.Name)
}

// downloadDir is where Download writes: opts.Dir when given; else
// $FRACDYN_DATA when it is writable (CI points it at a read-only copy of the
// test files); else the user cache.
func downloadDir(opts Options, spec *datasetSpec) string {
	if opts.Dir != "" {
		return opts.Dir
	}
	if env := os.Getenv(EnvDataDir); env != "" && writable(env) {
		return env
	}
	return cacheDir(spec)
}

// writable reports whether files can be created in dir (creating dir).
func writable(dir string) bool {
	if os.MkdirAll(dir, 0o755) != nil {
		return false
	}
	f, err := os.CreateTemp(dir, ".fracdyn-write-test-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// errOtherData marks a directory whose files belong to another dataset.
var errOtherData = errors.New("files of another dataset")

// Load finds the dataset, downloading it when allowed, reads and verifies
// it, and splits it into Train and Eval. A full set gives the 60,000
// training images and the 10,000 test images (or EvalImages of them, the
// first EvalImages of a seeded permutation). When only the test files are
// found, Data.Partial is set and the 10,000 test images are split by Seed
// (see the package documentation); Notes then say so loudly.
func Load(ctx context.Context, opts Options) (*Data, error) {
	spec, err := lookupDataset(opts.Dataset)
	if err != nil {
		return nil, err
	}
	cs := candidates(opts, spec)
	if opts.Dir != "" && !cs[0].Exists && !opts.Download {
		return nil, fmt.Errorf("mnist: missing directory: %s (from --data) does not exist", opts.Dir)
	}
	var notes []string
	try := func(c Candidate, full bool) (*Data, error) {
		d, err := loadDir(spec, c, full, opts)
		if errors.Is(err, errOtherData) {
			notes = append(notes, fmt.Sprintf("skipped %s (%s): %v", c.Dir, c.Source, err))
			return nil, nil
		}
		if d != nil {
			d.Notes = append(notes, d.Notes...)
		}
		return d, err
	}
	for _, c := range cs {
		if c.Full() {
			if d, err := try(c, true); d != nil || err != nil {
				return d, err
			}
		}
	}
	if opts.Download {
		dir, err := Download(ctx, opts)
		if err != nil {
			return nil, err
		}
		c := candidates(Options{Dir: dir, Dataset: spec.Name}, spec)[0]
		d, err := try(c, true)
		if d == nil && err == nil {
			err = fmt.Errorf("mnist: %s holds %s", dir, strings.Join(notes, "; "))
		}
		return d, err
	}
	for _, c := range cs {
		if c.HasTest() {
			if d, err := try(c, false); d != nil || err != nil {
				return d, err
			}
		}
	}
	return nil, notFound(spec, opts, cs, notes)
}

// notFound explains what was searched and how to get the files.
func notFound(spec *datasetSpec, opts Options, cs []Candidate, notes []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "mnist: %s not found; searched:\n", spec.Title)
	for _, c := range cs {
		state := "does not exist"
		if c.Exists {
			n := 0
			for _, p := range c.Paths {
				if p != "" {
					n++
				}
			}
			state = fmt.Sprintf("%d of %d files", n, len(c.Paths))
		}
		fmt.Fprintf(&b, "  %s (%s): %s\n", c.Dir, c.Source, state)
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "  %s\n", n)
	}
	fmt.Fprintf(&b, "Put these files in %s (or pass --data DIR, or set $%s), or rerun with --download:\n",
		downloadDir(opts, spec), EnvDataDir)
	for _, f := range spec.Files {
		fmt.Fprintf(&b, "  %s", f.Name)
		for _, m := range spec.Mirrors {
			fmt.Fprintf(&b, "  %s", m+f.Name)
		}
		b.WriteString("\n")
	}
	return errors.New(strings.TrimSuffix(b.String(), "\n"))
}

// loadDir reads and verifies the files of c: all four when full, else the
// test pair only.
func loadDir(spec *datasetSpec, c Candidate, full bool, opts Options) (*Data, error) {
	readPair := func(img, lab int) (*Set, error) {
		s, err := readVerified(spec, c.Paths[img], c.Paths[lab], img, lab)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	test, err := readPair(2, 3)
	if err != nil {
		return nil, err
	}
	d := &Data{Dataset: spec.Name, Dir: c.Dir}
	if full {
		train, err := readPair(0, 1)
		if err != nil {
			return nil, err
		}
		d.Train, d.Eval = train, test
		if opts.EvalImages > 0 && opts.EvalImages < test.N {
			idx := slices.Clone(Permutation(test.N, opts.Seed, streamEvalCut)[:opts.EvalImages])
			slices.Sort(idx)
			d.Eval = test.Subset(idx)
		}
		d.Notes = append(d.Notes, fmt.Sprintf("%s, full set from %s (%s): %d training images, %d evaluation images of the test set",
			spec.Title, c.Dir, c.Source, d.Train.N, d.Eval.N))
		return d, nil
	}
	evalN := opts.EvalImages
	if evalN <= 0 {
		evalN = DefaultPartialEval
	}
	if d.Train, d.Eval, err = splitPartial(test, opts.Seed, evalN); err != nil {
		return nil, fmt.Errorf("%w (partial set in %s)", err, c.Dir)
	}
	d.Partial = true
	d.Notes = append(d.Notes, fmt.Sprintf(
		"PARTIAL %s: only the 10,000-image TEST set was found in %s (%s); it is split by seed %d into %d training and %d evaluation images. "+
			"Results are NOT comparable to training on full %s; fetch the training files with: fracdyn data --download",
		spec.Title, c.Dir, c.Source, opts.Seed, d.Train.N, d.Eval.N, spec.Title))
	return d, nil
}

// readVerified reads an image file and a label file, checks both against
// the published checksums and checks that they agree.
func readVerified(spec *datasetSpec, imgPath, labPath string, img, lab int) (*Set, error) {
	dims, pixels, err := readChecked(imgPath, spec.Files[img], magicImages)
	if err != nil {
		return nil, err
	}
	_, labels, err := readChecked(labPath, spec.Files[lab], magicLabels)
	if err != nil {
		return nil, err
	}
	if err := checkLabels(labPath, labels); err != nil {
		return nil, err
	}
	if dims[0] != len(labels) {
		return nil, fmt.Errorf("mnist: image/label count mismatch: %s holds %d images, %s holds %d labels", imgPath, dims[0], labPath, len(labels))
	}
	return &Set{Images: pixels, Labels: labels, N: dims[0], Rows: dims[1], Cols: dims[2], Files: []string{imgPath, labPath}}, nil
}

// readChecked reads one IDX file and checks it against the checksums of f:
// the file's own SHA-256 must equal the published .gz checksum, or the
// SHA-256 of its decompressed content the published content checksum.
func readChecked(path string, f fileSpec, magic uint32) (dims []int, body []byte, err error) {
	dims, body, _, err = readCheckedBy(path, f, magic)
	return dims, body, err
}

// readCheckedBy is readChecked that also says which checksum matched.
func readCheckedBy(path string, f fileSpec, magic uint32) (dims []int, body []byte, by string, err error) {
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, "", fmt.Errorf("mnist: %w", err)
	}
	fileSum := sha256.Sum256(file)
	dims, body, err = decodeIDX(path, file, magic)
	if err != nil {
		if other := identify(hex.EncodeToString(fileSum[:])); other != "" {
			return nil, nil, "", fmt.Errorf("%s holds %s: %w", path, other, errOtherData)
		}
		return nil, nil, "", err
	}
	if hex.EncodeToString(fileSum[:]) == f.GzSHA {
		return dims, body, "file SHA-256 = published .gz SHA-256", nil
	}
	content := contentSHA(magic, dims, body)
	if content == f.RawSHA {
		return dims, body, "content SHA-256 = published content SHA-256", nil
	}
	if other := identify(content); other != "" {
		return nil, nil, "", fmt.Errorf("%s holds %s: %w", path, other, errOtherData)
	}
	return nil, nil, "", fmt.Errorf("mnist: %s: checksum mismatch: content SHA-256 %s, published %s (file SHA-256 %s, published .gz %s)",
		path, content, f.RawSHA, hex.EncodeToString(fileSum[:]), f.GzSHA)
}

// contentSHA is the SHA-256 of the decompressed IDX file: header, then body.
func contentSHA(magic uint32, dims []int, body []byte) string {
	h := sha256.New()
	hdr := make([]byte, headerSize(magic))
	binary.BigEndian.PutUint32(hdr, magic)
	for i, d := range dims {
		binary.BigEndian.PutUint32(hdr[4+4*i:], uint32(d))
	}
	h.Write(hdr)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// FileCheck reports how VerifyFile checked one file.
type FileCheck struct {
	Path   string
	SHA256 string // of the file as stored
	By     string // which published checksum matched
	Items  int    // images or labels in the file
}

// VerifyFile reads one of dataset's files (recognised by its base name,
// with or without .gz), checks its IDX structure and its published
// checksum, and reports which checksum matched.
func VerifyFile(dataset, path string) (FileCheck, error) {
	spec, err := lookupDataset(dataset)
	if err != nil {
		return FileCheck{}, err
	}
	base := filepath.Base(path)
	for _, f := range spec.Files {
		if base != f.Name && base != f.rawName() {
			continue
		}
		magic := uint32(magicLabels)
		if f.Images {
			magic = magicImages
		}
		dims, _, by, err := readCheckedBy(path, f, magic)
		if err != nil {
			return FileCheck{}, err
		}
		sum, err := fileSHA256(path)
		if err != nil {
			return FileCheck{}, fmt.Errorf("mnist: %w", err)
		}
		return FileCheck{Path: path, SHA256: sum, By: by, Items: dims[0]}, nil
	}
	return FileCheck{}, fmt.Errorf("mnist: %s is not a %s file name", path, spec.Title)
}
