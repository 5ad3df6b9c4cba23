package shard

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, c := range []struct {
		in   string
		env  func(string) string
		want Spec
		err  string
	}{
		{"", env(), Spec{}, ""},
		{"0/1", env(), Spec{0, 1}, ""},
		{"2/3", env(), Spec{2, 3}, ""},
		{"3/3", env(), Spec{}, "0 ≤ K < N"},
		{"-1/3", env(), Spec{}, "0 ≤ K < N"},
		{"1", env(), Spec{}, "want K/N"},
		{"a/b", env(), Spec{}, "0 ≤ K < N"},
		{"auto/4", env("JOB_COMPLETION_INDEX", "3"), Spec{3, 4}, ""},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "2"), Spec{2, 4}, ""},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_MIN", "1"), Spec{3, 4}, ""},
		{"auto", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "5"), Spec{1, 5}, ""},
		{"auto", env("JOB_COMPLETION_INDEX", "1"), Spec{}, "SLURM_ARRAY_TASK_COUNT"},
		{"auto/4", env(), Spec{}, "neither $JOB_COMPLETION_INDEX"},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "x"), Spec{}, `"x" is not a number`},
	} {
		got, err := Parse(c.in, c.env)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Parse(%q): err %v, want one containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// TestOwnsPartitions checks that the shards of N own every item exactly once.
func TestOwnsPartitions(t *testing.T) {
	for n := 1; n <= 5; n++ {
		for i := range 17 {
			owners := 0
			for k := range n {
				if (Spec{k, n}).Owns(i) {
					owners++
				}
			}
			if owners != 1 {
				t.Errorf("item %d has %d owners among %d shards", i, owners, n)
			}
		}
	}
	if !(Spec{}).Owns(5) {
		t.Error("without sharding an item is not owned")
	}
}
