package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestAnalyzeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze"}, "want one run directory"},
		{[]string{"analyze", "--gamma", "0", dir}, "γ = 0"},
		{[]string{"analyze", "--gamma", "1,-2", dir}, "γ = -2"},
		{[]string{"analyze", "--kernel", "cubic", dir}, "unknown kernel"},
		{[]string{"analyze", "--r", "2,x", dir}, `"x" is not an integer`},
		{[]string{"analyze", "--epochs", "1;2", dir}, "--epochs"},
		{[]string{"analyze", "--method", "fft", dir}, "--method"},
	} {
		var stderr bytes.Buffer
		if code := Main(c.args, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
	var stderr bytes.Buffer
	if code := Main([]string{"analyze", dir}, &stderr); code != 1 || !strings.Contains(stderr.String(), "config") {
		t.Errorf("analyze of an empty dir: exit %d, %q; want 1 naming the missing config", code, stderr.String())
	}
}
