package progress

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Reporter shows how far a piece of work has come.
type Reporter interface {
	// Update reports that done of the total units are finished and sets
	// the status shown beside the count ("loss 0.213 acc 94.1%").
	Update(done int, status string)
	// Log shows a line of text (an epoch summary, a warning) without
	// disturbing the progress display: above a terminal bar, as its own
	// line in plain logs and notebooks.
	Log(line string)
	// Done ends the report, showing status as the final word. Further
	// calls to Update or Done are ignored.
	Done(status string)
}

// Options configure a Reporter.
type Options struct {
	Title string // what is being done: "train", "fd sweep"
	Total int    // units of work; <= 0 means unknown
	Unit  string // name of a unit, plural: "steps" (default "items")
	// Every is the least time between two plain lines or two notebook
	// updates; default 10 s for plain lines and 250 ms in notebooks.
	Every time.Duration
	// Now is the clock, time.Now when nil (tests set it).
	Now func() time.Time
}

func (o Options) withDefaults(every time.Duration) Options {
	if o.Unit == "" {
		o.Unit = "items"
	}
	if o.Every <= 0 {
		o.Every = every
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// New returns the Reporter that suits w: Notebook inside a GoNB kernel,
// Terminal when w is a terminal, Plain lines otherwise. A nil w discards.
func New(w io.Writer, opts Options) Reporter {
	switch {
	case w == nil:
		return Discard()
	case gonbui.IsNotebook:
		return Notebook(opts)
	case isTerminal(w):
		return Terminal(w, opts)
	default:
		return Plain(w, opts)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Discard returns a Reporter that shows nothing.
func Discard() Reporter { return discard{} }

type discard struct{}

func (discard) Update(int, string) {}
func (discard) Log(string)         {}
func (discard) Done(string)        {}

// Plain returns a Reporter that writes a line to w at most every
// opts.Every and once at the end:
//
//	train: 400/937 steps (42.7%), 12.3 steps/s, eta 44s, loss 0.231
func Plain(w io.Writer, opts Options) Reporter {
	opts = opts.withDefaults(10 * time.Second)
	now := opts.Now()
	return &plain{w: w, opts: opts, start: now, last: now}
}

type plain struct {
	w           io.Writer
	opts        Options
	start, last time.Time
	done        int
	status      string
	finished    bool
}

func (p *plain) Update(done int, status string) {
	if p.finished {
		return
	}
	p.done, p.status = done, status
	now := p.opts.Now()
	if now.Sub(p.last) < p.opts.Every {
		return
	}
	p.last = now
	fmt.Fprintln(p.w, line(p.opts, p.done, now.Sub(p.start), p.status, false))
}

func (p *plain) Log(line string) { fmt.Fprintln(p.w, line) }

func (p *plain) Done(status string) {
	if p.finished {
		return
	}
	p.finished = true
	if status != "" {
		p.status = status
	}
	fmt.Fprintln(p.w, line(p.opts, p.done, p.opts.Now().Sub(p.start), p.status, true))
}

// line formats one report: title, count, rate and eta (or elapsed time
// when finished), status.
func line(o Options, done int, elapsed time.Duration, status string, finished bool) string {
	var b strings.Builder
	if o.Title != "" {
		b.WriteString(o.Title)
		b.WriteString(": ")
	}
	if o.Total > 0 {
		fmt.Fprintf(&b, "%d/%d %s (%.1f%%)", done, o.Total, o.Unit, 100*float64(done)/float64(o.Total))
	} else {
		fmt.Fprintf(&b, "%d %s", done, o.Unit)
	}
	secs := elapsed.Seconds()
	if secs > 0 && done > 0 {
		rate := float64(done) / secs
		fmt.Fprintf(&b, ", %.3g %s/s", rate, o.Unit)
		if !finished && o.Total > done {
			eta := time.Duration(float64(o.Total-done) / rate * float64(time.Second))
			fmt.Fprintf(&b, ", eta %s", eta.Round(time.Second))
		}
	}
	if finished {
		fmt.Fprintf(&b, ", done in %s", elapsed.Round(100*time.Millisecond))
	}
	if status != "" {
		b.WriteString(", ")
		b.WriteString(status)
	}
	return b.String()
}

// Terminal returns a progress bar on w with the status as its description.
func Terminal(w io.Writer, opts Options) Reporter {
	opts = opts.withDefaults(0)
	total := int64(opts.Total)
	if total <= 0 {
		total = -1
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(opts.Title),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(opts.Unit),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetWidth(30),
	)
	return &terminal{bar: bar, opts: opts, w: w}
}

type terminal struct {
	bar      *progressbar.ProgressBar
	opts     Options
	w        io.Writer
	finished bool
}

func (t *terminal) describe(status string) {
	d := t.opts.Title
	if status != "" {
		d += " " + status
	}
	t.bar.Describe(d)
}

func (t *terminal) Update(done int, status string) {
	if t.finished {
		return
	}
	t.describe(status)
	_ = t.bar.Set(done)
}

func (t *terminal) Log(line string) {
	_ = t.bar.Clear()
	fmt.Fprintln(t.w, line)
	if !t.finished {
		_ = t.bar.RenderBlank()
	}
}

func (t *terminal) Done(status string) {
	if t.finished {
		return
	}
	t.finished = true
	t.describe(status)
	if t.opts.Total > 0 {
		_ = t.bar.Finish()
	} else {
		_ = t.bar.Exit()
	}
	fmt.Fprintln(t.w)
}

// Notebook returns a Reporter that shows an HTML progress bar in the GoNB
// cell being executed, updated in place (a transient display block) and
// replaced by a static line when Done is called. Outside a notebook it
// shows nothing.
func Notebook(opts Options) Reporter {
	opts = opts.withDefaults(250 * time.Millisecond)
	now := opts.Now()
	return &notebook{opts: opts, id: "fracdyn-progress-" + gonbui.UniqueId(), start: now}
}

type notebook struct {
	opts     Options
	id       string
	start    time.Time
	last     time.Time
	done     int
	finished bool
}

func (n *notebook) Update(done int, status string) {
	if n.finished {
		return
	}
	n.done = done
	now := n.opts.Now()
	if !n.last.IsZero() && now.Sub(n.last) < n.opts.Every {
		return
	}
	n.last = now
	gonbui.UpdateHtml(n.id, notebookHTML(n.opts, done, now.Sub(n.start), status))
}

func (n *notebook) Log(line string) {
	gonbui.DisplayHtml("<pre>" + html.EscapeString(line) + "</pre>")
}

func (n *notebook) Done(status string) {
	if n.finished {
		return
	}
	n.finished = true
	gonbui.UpdateHtml(n.id, "") // erase the transient block
	gonbui.DisplayHtml("<pre>" + html.EscapeString(line(n.opts, n.done, n.opts.Now().Sub(n.start), status, true)) + "</pre>")
}

func notebookHTML(o Options, done int, elapsed time.Duration, status string) string {
	text := html.EscapeString(line(o, done, elapsed, status, false))
	if o.Total <= 0 {
		return "<pre>" + text + "</pre>"
	}
	return fmt.Sprintf(`<div><progress value="%d" max="%d" style="width:30em"></progress> <code>%s</code></div>`,
		done, o.Total, text)
}
