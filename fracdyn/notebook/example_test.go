package notebook_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/notebook"
	"github.com/janpfeifer/must"
)

// Outside GoNB, displays are HTML on notebook.Output: here a table, and
// Fig. 1 as an <img> with the PNG inline.
func Example() {
	var out strings.Builder
	notebook.Output = &out
	defer func() { notebook.Output = os.Stdout }()

	notebook.ShowTable([]string{"matrix", "segments at r = 2"}, [][]string{{"12×20", "60"}, {"64×64", "1024"}})
	notebook.Show(must.M1(figure.SegmentCounts([][2]int{{12, 20}, {64, 64}})))

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	fmt.Println(lines[0])
	fmt.Println(strings.HasPrefix(lines[1], `<img src="data:image/png;base64,iVBORw0KGgo`))
	// Output:
	// <table><tr><th>matrix</th><th>segments at r = 2</th></tr><tr><td>12×20</td><td>60</td></tr><tr><td>64×64</td><td>1024</td></tr></table>
	// true
}
