package bardata

import "testing"

func TestData(t *testing.T) {
	d := Data(25, 20)
	if d.Train.N != 20 || d.Eval.N != 5 {
		t.Fatalf("split %d/%d, want 20/5", d.Train.N, d.Eval.N)
	}
	// Image 21 is the eval set's second: label 1, its bar on row 6.
	if d.Eval.Labels[1] != 1 || d.Eval.Images[784+6*28+10] != 255 {
		t.Errorf("eval image 1: label %d, bar pixel %d; want 1 and 255", d.Eval.Labels[1], d.Eval.Images[784+6*28+10])
	}
}
