package ordinal

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		values, id, distinct []int32
	}{
		{nil, []int32{}, nil},
		{[]int32{7}, []int32{0}, []int32{7}},
		{[]int32{5, 3, 5, 0, 3, 9}, []int32{0, 1, 0, 2, 1, 3}, []int32{5, 3, 0, 9}},
	} {
		id, distinct := Number(c.values)
		if !slices.Equal(id, c.id) || !slices.Equal(distinct, c.distinct) {
			t.Errorf("Number(%v) = %v, %v; want %v, %v", c.values, id, distinct, c.id, c.distinct)
		}
	}
	// Against a map on many colliding values.
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]int32, 100_000)
	for i := range values {
		values[i] = int32(rng.IntN(30_000)) * 1024
	}
	id, distinct := Number(values)
	seen := map[int32]int32{}
	for i, v := range values {
		k, ok := seen[v]
		if !ok {
			k = int32(len(seen))
			seen[v] = k
		}
		if id[i] != k || distinct[k] != v {
			t.Fatalf("value %d (index %d): id %d, want %d", v, i, id[i], k)
		}
	}
	if len(distinct) != len(seen) {
		t.Errorf("%d distinct values, want %d", len(distinct), len(seen))
	}
}

func ExampleNumber() {
	id, distinct := Number([]int32{40, 12, 40, 7})
	fmt.Println(id, distinct)
	// Output: [0 1 0 2] [40 12 7]
}
