package mnist

import (
	"fmt"
	"strings"
)

// Dataset names accepted in Options.Dataset.
const (
	MNIST        = "mnist"
	FashionMNIST = "fashion-mnist"
)

// Datasets lists the dataset names Load accepts.
func Datasets() []string { return []string{MNIST, FashionMNIST} }

// fileSpec describes one of the four files of a dataset.
type fileSpec struct {
	Name   string // canonical name, gzip: "train-images-idx3-ubyte.gz"
	Images bool   // idx3 images (else idx1 labels)
	GzSize int64  // size of the published .gz
	GzSHA  string // SHA-256 of the published .gz
	RawSHA string // SHA-256 of its decompressed content
}

// rawName is the name of the decompressed file: the canonical name less ".gz".
func (f fileSpec) rawName() string { return strings.TrimSuffix(f.Name, ".gz") }

type datasetSpec struct {
	Name    string
	Title   string
	Mirrors []string // base URLs, tried in order; file names are appended
	System  []string // read-only directories of distribution packages, searched last
	Files   []fileSpec
}

// The checksums are those published by TensorFlow Datasets and torchvision
// (gz SHA-256; torchvision's MD5 of the test files matches the MD5SUMS
// shipped with the CI data). The SHA-256 of the decompressed content lets
// recompressed copies pass: Debian's dataset-fashion-mnist gzips its files
// anew (gzip -n), so its .gz bytes differ while their content is identical.
var knownDatasets = map[string]*datasetSpec{
	MNIST: {
		Name:  MNIST,
		Title: "MNIST",
		Mirrors: []string{
			"https://ossci-datasets.s3.amazonaws.com/mnist/",
			"https://storage.googleapis.com/cvdf-datasets/mnist/",
		},
		Files: []fileSpec{
			{"train-images-idx3-ubyte.gz", true, 9912422,
				"440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
				"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
			{"train-labels-idx1-ubyte.gz", false, 28881,
				"3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
				"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
			{"t10k-images-idx3-ubyte.gz", true, 1648877,
				"8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
				"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
			{"t10k-labels-idx1-ubyte.gz", false, 4542,
				"f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
				"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
		},
	},
	FashionMNIST: {
		Name:  FashionMNIST,
		Title: "Fashion-MNIST",
		Mirrors: []string{
			"https://fashion-mnist.s3.eu-central-1.amazonaws.com/",
		},
		System: []string{"/usr/share/datasets/fashion-mnist"},
		Files: []fileSpec{
			{"train-images-idx3-ubyte.gz", true, 26421880,
				"3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
				"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
			{"train-labels-idx1-ubyte.gz", false, 29515,
				"a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
				"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
			{"t10k-images-idx3-ubyte.gz", true, 4422102,
				"346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
				"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
			{"t10k-labels-idx1-ubyte.gz", false, 5148,
				"67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
				"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
		},
	},
}

func lookupDataset(name string) (*datasetSpec, error) {
	if name == "" {
		name = MNIST
	}
	if d, ok := knownDatasets[strings.ToLower(name)]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("mnist: unknown dataset %q (want one of %s)", name, strings.Join(Datasets(), ", "))
}

// identify names the dataset and file whose published checksum is sum, or
// returns "".
func identify(sum string) string {
	for _, d := range knownDatasets {
		for _, f := range d.Files {
			if sum == f.GzSHA || sum == f.RawSHA {
				return d.Title + " " + f.rawName()
			}
		}
	}
	return ""
}
