package shard_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/shard"
)

// Shard 1 of 3 owns every third item, starting at item 1, and writes
// under its own subdirectory.
func ExampleParse() {
	s, err := shard.Parse("1/3", func(string) string { return "" })
	if err != nil {
		panic(err)
	}
	var owned []int
	for i := range 10 {
		if s.Owns(i) {
			owned = append(owned, i)
		}
	}
	fmt.Println(s, s.Active(), owned)
	fmt.Println(s.Dir("out"))

	_, err = shard.Parse("3/3", func(string) string { return "" })
	fmt.Println(err)
	// Output:
	// 1/3 true [1 4 7]
	// out/shards/1-of-3
	// --shard "3/3": want K/N with 0 ≤ K < N (K="3", N="3")
}
