package main

import (
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// layoutFlag adds -layout, the layouts a model source does not tell
// (weights.ParseOverrides).
func layoutFlag(fs *flagSet) *string {
	return fs.String("layout", "", `layouts of stored weights, "GLOB=LAYOUT,..." (GLOB over tensor names, * crossing / and .; `+
		`LAYOUT oi, io, oihw, hwio, oik, kio, or pytorch, gomlx, keras, flax, channels-last, channels-first, matmul, gemm), `+
		`e.g. "*conv*=hwio"; needed where the source's layout cannot be told`)
}

// convViewFlag adds -conv-view (weights.ParseConvView).
func convViewFlag(fs *flagSet) *string {
	return fs.String("conv-view", "kernel", "how a convolution is read as matrices: kernel (out·in kh×kw kernels, the paper's) "+
		"or unfolded (one out×(in·kh·kw) matrix)")
}

// parseLayout reads -layout, a usage error when malformed.
func parseLayout(s string) (weights.Overrides, error) {
	o, err := weights.ParseOverrides(s)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return o, nil
}

// parseConvView reads -conv-view, a usage error when unknown.
func parseConvView(s string) (weights.ConvView, error) {
	v, err := weights.ParseConvView(s)
	if err != nil {
		return 0, usageErrorf("-conv-view: %v", err)
	}
	return v, nil
}
