// Package notebook is what fracdyn's GoNB notebooks share, so that a
// notebook's setup is a few lines and its cells call the library:
//
//	var nb = notebook.FromEnv()             // preset, run directory, data, backend
//	r := must.M1(nb.Run())                  // the shared run: opened, or trained with live progress
//	notebook.Show(must.M1(figure.SegmentCounts(nil)))
//	notebook.ShowTable([]string{"layer", "FD"}, rows)
//	must.M(notebook.ShowFigureFile(nb.Figures + "/fig3-grad-loss.png")) // a committed figure, with its run
//	v := must.M1(notebook.Cached("fd", key, compute)) // survives GoNB's re-runs
//	live := notebook.NewLive("<i>waiting…</i>")        // redrawn in place: live.Show(fig1, fig2)
//
// Inside a GoNB kernel (gonbui.IsNotebook) figures, images and HTML go to
// the cell's output through gonbui. Anywhere else they are written to
// Output as HTML fragments (figures and images as base64 PNG in an <img>),
// one per line, so the same code runs, and is tested, outside Jupyter.
//
// The Show functions panic when a figure cannot be drawn: a notebook cell is
// a small program, and GoNB shows the panic in the cell (as
// github.com/janpfeifer/must does for errors). Functions that read files or
// compute return errors.
package notebook
