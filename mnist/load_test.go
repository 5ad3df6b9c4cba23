package mnist

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realMNISTDir returns the directory with the real MNIST test files:
// $FRACDYN_DATA, or ../shared/data/mnist relative to the repository root.
func realMNISTDir(t *testing.T) string {
	t.Helper()
	for _, d := range []string{os.Getenv(EnvDataDir), filepath.Join("..", "..", "shared", "data", "mnist")} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "t10k-images-idx3-ubyte.gz")); err == nil {
			return d
		}
	}
	t.Skip("real MNIST test files not found ($FRACDYN_DATA or ../shared/data/mnist); generated-data tests still run")
	return ""
}

// isolate points $FRACDYN_DATA and the user cache at empty directories.
func isolate(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
}

func TestRealMNISTTestSet(t *testing.T) {
	dir := realMNISTDir(t)
	// MD5 of the files against the MD5SUMS shipped beside them.
	if f, err := os.Open(filepath.Join(dir, "MD5SUMS")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) != 2 {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, fields[1]))
			if err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(data)
			if hex.EncodeToString(sum[:]) != fields[0] {
				t.Errorf("%s: MD5 %x, MD5SUMS says %s", fields[1], sum, fields[0])
			}
		}
		f.Close()
	}
	spec := knownDatasets[MNIST]
	for _, i := range []int{2, 3} {
		sum, err := fileSHA256(filepath.Join(dir, spec.Files[i].Name))
		if err != nil || sum != spec.Files[i].GzSHA {
			t.Errorf("%s: SHA-256 %s (%v), published %s", spec.Files[i].Name, sum, err, spec.Files[i].GzSHA)
		}
	}
	px, n, rows, cols, err := ReadImages(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"))
	if err != nil || n != 10000 || rows != 28 || cols != 28 || len(px) != 10000*784 {
		t.Fatalf("images: n=%d %d×%d len=%d err=%v", n, rows, cols, len(px), err)
	}
	labels, err := ReadLabels(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint8{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}; !slices.Equal(labels[:10], want) {
		t.Errorf("first labels %v, want %v", labels[:10], want)
	}
	counts := make([]int, 10)
	for _, l := range labels {
		counts[l]++
	}
	// The published class counts of the MNIST test set.
	if want := []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}; !slices.Equal(counts, want) {
		t.Errorf("class counts %v, want %v", counts, want)
	}
	// Pixel sums computed independently with Python's gzip module.
	var sum0, inked, total int
	for i, p := range px {
		if i < 784 {
			sum0 += int(p)
			if p > 0 {
				inked++
			}
		}
		total += int(p)
	}
	if sum0 != 18454 || inked != 116 || total != 264923200 {
		t.Errorf("image 0 sum %d inked %d, all %d; want 18454, 116, 264923200", sum0, inked, total)
	}
}

func TestLoadPartialMNIST(t *testing.T) {
	dir := realMNISTDir(t)
	isolate(t)
	d, err := Load(context.Background(), Options{Dir: dir, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Partial || d.Train.N != 8000 || d.Eval.N != 2000 || d.Dataset != MNIST {
		t.Fatalf("partial=%v train=%d eval=%d", d.Partial, d.Train.N, d.Eval.N)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "PARTIAL MNIST") {
		t.Errorf("notes do not say PARTIAL: %q", d.Notes)
	}
	// The split is a partition of the 10,000 images, fixed by the seed.
	d2, err := Load(context.Background(), Options{Dir: dir, Seed: 1, EvalImages: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Eval.Labels, d2.Eval.Labels) || !slices.Equal(d.Train.Images, d2.Train.Images) {
		t.Error("same seed gave a different split")
	}
	d3, _ := Load(context.Background(), Options{Dir: dir, Seed: 2})
	if slices.Equal(d.Eval.Images, d3.Eval.Images) {
		t.Error("seeds 1 and 2 gave the same split")
	}
	var trainSum, evalSum, allSum int
	for _, l := range d.Train.Labels {
		trainSum += int(l)
	}
	for _, l := range d.Eval.Labels {
		evalSum += int(l)
	}
	all, _ := ReadLabels(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	for _, l := range all {
		allSum += int(l)
	}
	if trainSum+evalSum != allSum {
		t.Errorf("label sums %d+%d != %d: the split is not a partition", trainSum, evalSum, allSum)
	}
}

// tinySpec registers a dataset "tiny" of generated files in dir (gzip) and
// returns its spec; rows×cols 4×3, 30 training and 20 test images.
func tinySpec(t *testing.T, dir string) *datasetSpec {
	t.Helper()
	spec := &datasetSpec{Name: "tiny", Title: "Tiny"}
	for _, f := range []struct {
		name   string
		images bool
		n      int
	}{{"train-images-idx3-ubyte.gz", true, 30}, {"train-labels-idx1-ubyte.gz", false, 30},
		{"t10k-images-idx3-ubyte.gz", true, 20}, {"t10k-labels-idx1-ubyte.gz", false, 20}} {
		px, lab := tinyImages(f.n, 4, 3)
		if !strings.HasPrefix(f.name, "train") {
			for i := range px {
				px[i] ^= 0x55 // test images differ from training images
			}
		}
		p := filepath.Join(dir, f.name)
		var err error
		if f.images {
			err = WriteImages(p, px, f.n, 4, 3)
		} else {
			err = WriteLabels(p, lab)
		}
		if err != nil {
			t.Fatal(err)
		}
		gz, err := fileSHA256(p)
		if err != nil {
			t.Fatal(err)
		}
		var raw string
		if f.images {
			raw = contentSHA(magicImages, []int{f.n, 4, 3}, px)
		} else {
			raw = contentSHA(magicLabels, []int{f.n}, lab)
		}
		st, _ := os.Stat(p)
		spec.Files = append(spec.Files, fileSpec{f.name, f.images, st.Size(), gz, raw})
	}
	knownDatasets["tiny"] = spec
	t.Cleanup(func() { delete(knownDatasets, "tiny") })
	return spec
}

func TestLoadSearchOrderAndFull(t *testing.T) {
	isolate(t)
	src := t.TempDir()
	tinySpec(t, src)
	// Full set in $FRACDYN_DATA; a test pair only in --data: full wins.
	partial := t.TempDir()
	for _, n := range []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		data, _ := os.ReadFile(filepath.Join(src, n))
		os.WriteFile(filepath.Join(partial, n), data, 0o644)
	}
	t.Setenv(EnvDataDir, src)
	d, err := Load(context.Background(), Options{Dir: partial, Dataset: "tiny", EvalImages: 5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d.Partial || d.Dir != src || d.Train.N != 30 || d.Eval.N != 5 {
		t.Fatalf("partial=%v dir=%s train=%d eval=%d", d.Partial, d.Dir, d.Train.N, d.Eval.N)
	}
	// Without the full set, the test pair is split.
	t.Setenv(EnvDataDir, "")
	d, err = Load(context.Background(), Options{Dir: partial, Dataset: "tiny", EvalImages: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Partial || d.Train.N != 15 || d.Eval.N != 5 {
		t.Fatalf("partial=%v train=%d eval=%d", d.Partial, d.Train.N, d.Eval.N)
	}
	// Raw (decompressed) files pass through the content checksum.
	rawDir := t.TempDir()
	for _, f := range knownDatasets["tiny"].Files {
		p := filepath.Join(src, f.Name)
		if f.Images {
			px, n, r, c, _ := ReadImages(p)
			WriteImages(filepath.Join(rawDir, f.rawName()), px, n, r, c)
		} else {
			lab, _ := ReadLabels(p)
			WriteLabels(filepath.Join(rawDir, f.rawName()), lab)
		}
	}
	if d, err = Load(context.Background(), Options{Dir: rawDir, Dataset: "tiny"}); err != nil || d.Partial || d.Eval.N != 20 {
		t.Fatalf("raw files: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	isolate(t)
	src := t.TempDir()
	tinySpec(t, src)
	ctx := context.Background()

	_, err := Load(ctx, Options{Dir: filepath.Join(src, "nope"), Dataset: "tiny"})
	wantErr(t, err, "missing directory", "nope")

	empty := t.TempDir()
	_, err = Load(ctx, Options{Dir: empty, Dataset: "tiny"})
	wantErr(t, err, "Tiny not found", empty, "t10k-labels-idx1-ubyte.gz", "--download")

	_, err = Load(ctx, Options{Dir: src, Dataset: "nosuch"})
	wantErr(t, err, "unknown dataset")

	// Count mismatch: 20 test images, 30 labels.
	bad := t.TempDir()
	copyFile(t, filepath.Join(src, "t10k-images-idx3-ubyte.gz"), filepath.Join(bad, "t10k-images-idx3-ubyte.gz"))
	copyFile(t, filepath.Join(src, "train-labels-idx1-ubyte.gz"), filepath.Join(bad, "t10k-labels-idx1-ubyte.gz"))
	spec := knownDatasets["tiny"]
	saved := spec.Files[3]
	spec.Files[3].GzSHA, spec.Files[3].RawSHA = spec.Files[1].GzSHA, spec.Files[1].RawSHA
	_, err = Load(ctx, Options{Dir: bad, Dataset: "tiny"})
	wantErr(t, err, "image/label count mismatch", "holds 20 images", "holds 30 labels")
	spec.Files[3] = saved

	// Checksum mismatch: valid IDX with other pixels.
	px, _ := tinyImages(20, 4, 3)
	WriteImages(filepath.Join(bad, "t10k-images-idx3-ubyte.gz"), px, 20, 4, 3)
	copyFile(t, filepath.Join(src, "t10k-labels-idx1-ubyte.gz"), filepath.Join(bad, "t10k-labels-idx1-ubyte.gz"))
	_, err = Load(ctx, Options{Dir: bad, Dataset: "tiny"})
	wantErr(t, err, "checksum mismatch", "t10k-images-idx3-ubyte.gz")

	// A truncated file is reported, not skipped.
	data, _ := os.ReadFile(filepath.Join(src, "t10k-images-idx3-ubyte.gz"))
	os.WriteFile(filepath.Join(bad, "t10k-images-idx3-ubyte.gz"), data[:len(data)/2], 0o644)
	_, err = Load(ctx, Options{Dir: bad, Dataset: "tiny"})
	wantErr(t, err, "truncated", "t10k-images-idx3-ubyte.gz")
}

// Fashion-MNIST must not take MNIST files that carry the same names: the
// MNIST directory is skipped and Debian's package is found after it.
func TestFashionSkipsMNISTFindsDebian(t *testing.T) {
	mnistDir := realMNISTDir(t)
	isolate(t)
	fashionDirs := knownDatasets[FashionMNIST].System
	knownDatasets[FashionMNIST].System = nil
	_, err := Load(context.Background(), Options{Dir: mnistDir, Dataset: FashionMNIST})
	wantErr(t, err, "Fashion-MNIST not found", "skipped "+mnistDir, "holds MNIST t10k")
	knownDatasets[FashionMNIST].System = fashionDirs
	if _, err := os.Stat("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); err != nil {
		t.Skip("Debian's dataset-fashion-mnist is not installed")
	}
	t.Setenv(EnvDataDir, mnistDir)
	d, err := Load(context.Background(), Options{Dataset: FashionMNIST, EvalImages: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if d.Partial || d.Dir != "/usr/share/datasets/fashion-mnist" || d.Train.N != 60000 || d.Eval.N != 1000 {
		t.Fatalf("partial=%v dir=%s train=%d eval=%d", d.Partial, d.Dir, d.Train.N, d.Eval.N)
	}
	// Fashion-MNIST's first training labels: ankle boot, T-shirt, T-shirt, dress, T-shirt.
	if want := []uint8{9, 0, 0, 3, 0}; !slices.Equal(d.Train.Labels[:5], want) {
		t.Errorf("first labels %v, want %v", d.Train.Labels[:5], want)
	}
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q lacks %q", err, p)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFile(t *testing.T) {
	dir := realMNISTDir(t)
	fc, err := VerifyFile(MNIST, filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if err != nil || fc.Items != 10000 || fc.SHA256 != knownDatasets[MNIST].Files[3].GzSHA || !strings.Contains(fc.By, ".gz") {
		t.Errorf("%+v %v", fc, err)
	}
	// The raw content passes by its content checksum.
	lab, _ := ReadLabels(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	raw := filepath.Join(t.TempDir(), "t10k-labels-idx1-ubyte")
	WriteLabels(raw, lab)
	if fc, err := VerifyFile(MNIST, raw); err != nil || !strings.Contains(fc.By, "content") {
		t.Errorf("raw: %+v %v", fc, err)
	}
	_, err = VerifyFile(FashionMNIST, filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	wantErr(t, err, "holds MNIST t10k-labels-idx1-ubyte")
	_, err = VerifyFile(MNIST, filepath.Join(dir, "MD5SUMS"))
	wantErr(t, err, "not a MNIST file name")
}

func TestDownloadDirSkipsReadOnlyEnv(t *testing.T) {
	isolate(t)
	spec := knownDatasets[MNIST]
	rw := t.TempDir()
	t.Setenv(EnvDataDir, rw)
	if got := downloadDir(Options{}, spec); got != rw {
		t.Errorf("download dir %s, want %s", got, rw)
	}
	if got := downloadDir(Options{Dir: "x"}, spec); got != "x" {
		t.Errorf("download dir %s, want x", got)
	}
	ro := t.TempDir()
	os.Chmod(ro, 0o555)
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	t.Setenv(EnvDataDir, ro)
	if writable(ro) {
		t.Skip("running as a user who can write read-only directories (root)")
	}
	if got := downloadDir(Options{}, spec); got != cacheDir(spec) {
		t.Errorf("download dir %s, want the cache %s", got, cacheDir(spec))
	}
}
