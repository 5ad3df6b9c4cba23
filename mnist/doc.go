// Package mnist reads MNIST and Fashion-MNIST, finds or downloads their
// files, verifies them, and serves shuffled batches for GoMLX training.
//
// # Formats
//
// The four IDX files of each dataset (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte),
// gzip-compressed (NAME.gz) or raw (NAME). Compression is detected by the
// gzip magic bytes 1f 8b, not by the name. Images are idx3-ubyte (magic
// 0x00000803, dims N, rows, cols); labels idx1-ubyte (0x00000801, dim N)
// with values 0..9. A whole file is read at once. Nothing is allocated from
// a header alone: a raw file must hold exactly the bytes its header
// announces, and a gzip stream is inflated into a buffer that grows only as
// the stream yields data (and no header may claim more than 1032 times the
// compressed size, DEFLATE's limit). Errors name the file and the problem:
// wrong magic, truncated, corrupt gzip, dims larger than the file, trailing
// bytes, image/label count mismatch, label out of range, checksum mismatch,
// missing directory.
//
// # Where data is found
//
// Load searches, in order: Options.Dir (the CLI's --data), $FRACDYN_DATA,
// os.UserCacheDir()/fracdyn/<dataset> (e.g. ~/.cache/fracdyn/mnist), and for
// Fashion-MNIST /usr/share/datasets/fashion-mnist, installed by Debian's
// package dataset-fashion-mnist (apt-get install dataset-fashion-mnist). A
// directory holding all four files wins over one holding only the test pair;
// among equals the earlier wins. A directory whose files are those of the
// other dataset (the file names are the same) is skipped with a note.
//
// # Checksums
//
// Every file is checked when loaded. It passes if its SHA-256 equals the
// published SHA-256 of the .gz file (TensorFlow Datasets' url_checksums;
// GoMLX's MNIST example carries the same values), or if the SHA-256 of its
// decompressed IDX content equals that of the published files' content
// (recorded by several independent projects, and recomputed here from the
// CI's test files, whose MD5 match torchvision's published MD5 and the
// MD5SUMS beside them). The second rule lets raw files and recompressed
// copies pass: Debian's dataset-fashion-mnist ships its .gz files recompressed
// (without the original name in the gzip header), same content, other bytes.
// A file with another dataset's checksum (MNIST and Fashion-MNIST use the
// same file names) is reported as such, and its directory is skipped.
// VerifyFile checks one file and says which rule matched.
//
// # Downloads
//
// Only with Options.Download (the CLI's --download), only over HTTPS, and
// redirects only to HTTPS: MNIST from
// https://ossci-datasets.s3.amazonaws.com/mnist/ (torchvision's mirror) then
// https://storage.googleapis.com/cvdf-datasets/mnist/ (Google's CVDF
// mirror); Fashion-MNIST from its bucket's HTTPS endpoint
// https://fashion-mnist.s3.eu-central-1.amazonaws.com/. Files go to
// Options.Dir when given, else $FRACDYN_DATA when writable, else the user
// cache. Each file is written to NAME.part, resumed with an HTTP Range
// request after a broken connection, abandoned after 60 s without data,
// tried 3 times per mirror (pauses 2 s, 4 s; a 404 or a checksum mismatch is
// not retried on the same mirror), capped at its published size, and renamed
// to NAME only after its SHA-256 matches; a file that does not match is
// deleted. So no bad or partial file ever carries a final name. Progress is a
// bar on a terminal and a line per quarter elsewhere. Offline, Load's error
// lists the directories searched, the files, their URLs and the directory
// to put them in.
//
// # Partial set
//
// When only the 10,000 test images are found (as in the CI, which carries
// only t10k files), Load splits them: with p = Permutation(10000, Seed,
// split stream), the eval set is the last EvalImages entries of p
// (DefaultPartialEval = 2000 when EvalImages is 0) and the training set the
// other entries, each sorted by index. Data.Partial is set and Data.Notes
// says in capitals that results are not comparable to full MNIST; callers
// must carry the flag into their outputs. With the full set, the 60,000
// training images train and the 10,000 test images evaluate (or EvalImages
// of them: the first EvalImages of a seeded permutation, sorted).
//
// Permutation is a Fisher–Yates shuffle driven by math/rand/v2's PCG with
// unbiased rejection sampling, written out so orders never change with the
// Go version. Each use draws from its own PCG stream: split, eval subset,
// probe batch, and one stream per training epoch.
//
// # Batches
//
// Batches implements GoMLX's train.Dataset: images [B,28,28] float32
// normalised ((x/255)-0.1307)/0.3081 (MNIST's training mean and standard
// deviation, used for Fashion-MNIST too), labels [B] int32, epoch e ordered
// by Permutation(N, Seed, epoch stream + e), the last partial batch dropped
// or kept (BatchOptions.KeepLast). Pixels are converted through a 256-entry
// table straight into the tensor's memory. Probe takes a fixed batch of the
// eval set for gradient tracking.
//
// # API
//
//	Load(ctx, Options) (*Data, error)        find, verify, split
//	Candidates(Options) ([]Candidate, error) the search order and what each holds
//	Download(ctx, Options) (string, error)   fetch missing files
//	VerifyFile(dataset, path) (FileCheck, error)
//	ReadImages, ReadLabels, WriteImages, WriteLabels   IDX files
//	(*Set).Float32Images, Int32Labels, Subset, Pixels
//	NewBatches(name, *Set, BatchOptions) (*Batches, error); Probe
//	Permutation(n, seed, stream)             the seeded order used throughout
package mnist
