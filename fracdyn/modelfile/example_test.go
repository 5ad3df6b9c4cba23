package modelfile_test

import (
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
)

func ExampleOpen() {
	m, err := modelfile.Open("testdata/torch.safetensors")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	for _, name := range []string{"conv.weight", "conv1d.weight", "embed.weight", "bn.running_var", "position_ids"} {
		t, _ := m.Info(name)
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%-14s %-9s %v %s", t.Name, t.Kind, t.Matrices, t.Why)))
	}
	// Output:
	// conv.weight    conv      12 × (3×3)
	// conv1d.weight  conv1d    6×24 read as out×(in·k)
	// embed.weight   embedding 16×8
	// bn.running_var norm      -
	// position_ids   skipped   - int64 dtype, not a weight
}
