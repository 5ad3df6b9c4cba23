package analysis

import (
	gocontext "context"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
)

// TestSegmentGraph builds conv1→conv2 of a pooled-CNN run at r = 2 and
// checks it against measureLayer's segments (Analyze's path) and a graph
// built from them.
func TestSegmentGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a CNN run")
	}
	dir := testCNNRun(t)
	opts := Options{DataFree: true}
	g, layers, err := SegmentGraph(gocontext.Background(), dir, 1, []string{"conv2", "conv1"}, 2, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 || layers[0].Info.Name != "conv1" || layers[1].Info.Name != "conv2" {
		t.Fatalf("layers %v, want conv1, conv2 in run order", layers)
	}
	r, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Snapshot(1)
	if err != nil {
		t.Fatal(err)
	}
	o, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	var want []segraph.Layer
	for _, l := range layers {
		wt, err := snap.LayerWeight(l.Info)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := measureLayer(segraph.Layer{Info: l.Info, Index: l.Index, Weights: wt}, nil, 2, o)
		if err != nil {
			t.Fatal(err)
		}
		if got, w := len(l.Segments.FD), len(ls.layer.Segments.FD); got != w {
			t.Fatalf("%s: %d segments, want %d", l.Info.Name, got, w)
		}
		for k := range l.Segments.FD {
			if l.Segments.FD[k] != ls.layer.Segments.FD[k] {
				t.Fatalf("%s segment %d: FD %v, want %v", l.Info.Name, k, l.Segments.FD[k], ls.layer.Segments.FD[k])
			}
		}
		want = append(want, ls.layer)
	}
	wg, err := segraph.Build(want, segraph.Options{Pool: o.Pool, DataFree: true, MaxEdges: o.MaxEdges})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.AlphaNorm) != len(wg.AlphaNorm) || g.Offsets[2] != wg.Offsets[2] {
		t.Fatalf("graph of %d nodes, want %d", len(g.AlphaNorm), len(wg.AlphaNorm))
	}
	for k := range g.AlphaNorm {
		if g.AlphaNorm[k] != wg.AlphaNorm[k] {
			t.Fatalf("‖α‖ of node %d = %v, want %v", k, g.AlphaNorm[k], wg.AlphaNorm[k])
		}
	}
	if _, _, err := SegmentGraph(gocontext.Background(), dir, 1, []string{"conv1", "conv9"}, 2, opts); err == nil ||
		!strings.Contains(err.Error(), `"conv9"`) {
		t.Errorf("unknown layer: err %v", err)
	}
}
