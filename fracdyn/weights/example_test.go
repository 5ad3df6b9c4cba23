package weights_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// A GoMLX channels-last kernel and a PyTorch kernel of the same layer give
// the same canonical tensor and the same 3×3 kernel matrices (the first two
// of eight shown).
func ExampleCanonicalize() {
	// 8 output channels, 1 input channel, 3×3: value 10·o + 3·h + w.
	var oihw, hwio []float32
	for o := range 8 {
		for h := range 3 {
			for w := range 3 {
				oihw = append(oihw, float32(10*o+3*h+w))
			}
		}
	}
	for h := range 3 {
		for w := range 3 {
			for o := range 8 {
				hwio = append(hwio, float32(10*o+3*h+w))
			}
		}
	}
	t := weights.Tensor{Name: "/conv_0/conv/weights", DType: "float32", Shape: []int{3, 3, 1, 8}}
	weights.Classify(&t, weights.GoMLX)
	fmt.Println(t.Kind, t.Layout)
	canon, shape, _ := weights.Canonicalize(nil, hwio, t.Shape, t.Layout)
	fmt.Println(shape, fmt.Sprint(canon) == fmt.Sprint(oihw))
	v, _ := weights.ViewOf(t.Kind, shape, weights.PerKernel)
	v.Matrices(canon, func(j int, m []float64) error {
		if j < 2 {
			fmt.Println(j, m)
		}
		return nil
	})
	// Output:
	// conv hwio
	// [8 1 3 3] true
	// 0 [0 1 2 3 4 5 6 7 8]
	// 1 [10 11 12 13 14 15 16 17 18]
}

func ExampleViewOf() {
	for _, cv := range []weights.ConvView{weights.PerKernel, weights.Unfolded} {
		v, _ := weights.ViewOf(weights.Conv, []int{64, 32, 3, 3}, cv)
		fmt.Println(cv, v, v.Shape)
	}
	v, _ := weights.ViewOf(weights.Conv, []int{64, 32, 1, 1}, weights.PerKernel)
	fmt.Println(v, v.Why)
	// Output:
	// kernel 2048 × (3×3) [64 32 3 3]
	// unfolded 64×288 [64 288]
	// 64×32 1×1 convolution read as dense out×in
}

func ExampleClassify() {
	for _, t := range []weights.Tensor{
		{Name: "/model/dense/weights", DType: "Float32", Shape: []int{784, 10}},
		{Name: "/model/conv_0/conv/weights", DType: "Float32", Shape: []int{3, 3, 3, 3}},
		{Name: "/model/batch_normalization/scale", DType: "Float32", Shape: []int{3}},
	} {
		weights.Classify(&t, weights.GoMLX)
		_, err := t.View(weights.PerKernel)
		fmt.Printf("%s: %v %v (%s) err=%v\n", t.Name, t.Kind, t.Layout, t.Why, err != nil)
	}
	// Output:
	// /model/dense/weights: dense io (GoMLX layers.Dense [in,out]) err=false
	// /model/conv_0/conv/weights: conv unknown (GoMLX convolution: the shape [3 3 3 3] fits both [kh,kw,in,out] (channels-last) and [out,in,kh,kw] (channels-first)) err=true
	// /model/batch_normalization/scale: norm unknown (normalisation scope) err=false
}

func ExampleParseOverrides() {
	o, _ := weights.ParseOverrides("*conv_0*=channels-last")
	t := weights.Tensor{Name: "/model/conv_0/conv/weights", DType: "Float32", Shape: []int{3, 3, 3, 3}}
	weights.Classify(&t, weights.GoMLX)
	o.Apply(&t)
	v, _ := t.View(weights.PerKernel)
	fmt.Println(t.Layout, v)
	// Output:
	// hwio 9 × (3×3)
}
