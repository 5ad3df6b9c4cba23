package kernels

// View is the matrices of a layer: Count matrices of Rows×Cols, row-major,
// one after another (fractal.MatrixView without its kind).
type View struct {
	Count      int
	Rows, Cols int
}

// Bands is one layer at one scale R as the fused kernels measure it: the
// segment grid, the mask threshold and the per-segment results, in
// fractal.LayerResult's segment order. fractal.LayerSegments fills the
// grid and hands its result slices to the kernels, which write FD, FDR2
// and H (and, for OnePass, Threshold).
type Bands struct {
	View                   View
	R                      int
	RowOrigins, ColOrigins []int // fractal.Origins(View.Rows, R) and of View.Cols
	Sizes                  []int // box sizes inside a segment: fractal.SegmentSizes(R)
	// Paper selects the paper's single-scale form, FD = ln N(1)/ln R with
	// R² 0, instead of the least-squares box-counting slope.
	Paper     bool
	Threshold float32 // mask threshold τ
	// FD, FDR2 and H are the dimension, its fit's R² and the entropy of
	// each segment.
	FD, FDR2, H []float32
}

// Len returns the number of segments.
func (l *Bands) Len() int { return len(l.FD) }
