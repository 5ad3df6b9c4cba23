package notebook

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/janpfeifer/gonb/gonbui"
)

// Live is a block of a cell's output that is redrawn in place, as plots
// that follow a training run. Outside GoNB each update is written to
// Output in full.
type Live struct{ id string }

// NewLive starts a live block showing the HTML fragment first (a
// placeholder such as "<i>waiting for the first snapshot…</i>").
func NewLive(first string) *Live {
	l := &Live{id: "fracdyn-live-" + gonbui.UniqueId()}
	l.HTML(first)
	return l
}

// HTML replaces the block's content with an HTML fragment.
func (l *Live) HTML(h string) {
	if inNotebook() {
		gonbui.UpdateHTML(l.id, h)
		return
	}
	fmt.Fprintln(Output, h)
}

// Show replaces the block's content with figs side by side, each at its
// size.
func (l *Live) Show(figs ...figure.Figure) error {
	var b strings.Builder
	for _, f := range figs {
		var buf bytes.Buffer
		if err := figure.Encode(&buf, f, "png"); err != nil {
			return fmt.Errorf("notebook: %w", err)
		}
		fmt.Fprintf(&b, `<img src="data:image/png;base64,%s">`, base64.StdEncoding.EncodeToString(buf.Bytes()))
	}
	l.HTML(b.String())
	return nil
}
