// Package progress reports the advance of long work (training, sweeps over
// snapshots, figure batches) in the form that suits where it runs:
//
//   - a terminal: a progress bar (github.com/schollz/progressbar/v3) on
//     stderr whose description carries the latest status, e.g.
//     "epoch 3/5 loss 0.213 acc 94.1%";
//   - a GoNB notebook (gonbui.IsNotebook): a live-updating HTML block with a
//     transient display id, replaced by a final static line when done;
//   - anything else (CI logs, files, pipes): plain lines, one every
//     Options.Every (default 10 s) plus one at the end, so logs stay short
//     and greppable.
//
// New picks the form; Plain, Terminal and Notebook force one. All Reporters
// are safe for use by one goroutine at a time; Update is cheap enough to call
// every step (the plain and notebook forms throttle their output).
package progress
