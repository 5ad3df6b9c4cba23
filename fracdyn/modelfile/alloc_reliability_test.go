package modelfile

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"
)

// TestHugeSafetensorsHeaderAllocatesNothing opens safetensors files of a
// few hundred bytes whose header length (2^60) or tensor (2^20 × 2^20
// float32, 4 TiB) cannot fit in the file: each must fail naming the file
// after allocating less than 1 MiB.
func TestHugeSafetensorsHeaderAllocatesNothing(t *testing.T) {
	st := func(headerLen uint64, header string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, headerLen)
		return append(append(b, header...), make([]byte, data)...)
	}
	huge := `{"w":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,4398046511104]}}`
	cases := map[string][]byte{
		"header-length.safetensors": st(1<<60, `{}`, 64),
		"tensor.safetensors":        st(uint64(len(huge)), huge, 64),
	}
	dir := t.TempDir()
	for name, data := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		n := testutil.Allocated(func() {
			var m *Model
			if m, err = Open(p); err == nil {
				m.Close()
			}
		})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
		t.Logf("%s: %v; %d bytes allocated", name, err, n)
		if n > 1<<20 {
			t.Errorf("%s: %d bytes allocated for a %d-byte file", name, n, len(data))
		}
	}
}
