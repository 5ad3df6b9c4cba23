package fsutil_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// WriteFileAtomic replaces a file whole or not at all: a failing writer
// leaves the old content in place.
func ExampleWriteFileAtomic() {
	dir, err := os.MkdirTemp("", "fsutil-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "table.csv")

	if err := fsutil.WriteFile(path, []byte("a,b\n1,2\n")); err != nil {
		panic(err)
	}
	err = fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "a,b\n3,")
		return fmt.Errorf("disk full")
	})
	fmt.Println("error:", err != nil)
	data, _ := os.ReadFile(path)
	fmt.Printf("%q\n", data)
	entries, _ := os.ReadDir(dir)
	fmt.Println("files:", len(entries))
	// Output:
	// error: true
	// "a,b\n1,2\n"
	// files: 1
}
