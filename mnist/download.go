package mnist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Download knobs; unexported so that only tests change them.
var (
	httpClient = &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" {
				return fmt.Errorf("refusing redirect to %s: not HTTPS", req.URL)
			}
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
	stallTimeout      = 60 * time.Second // no bytes for this long aborts an attempt
	retryDelay        = 2 * time.Second  // first pause between attempts; doubles
	attemptsPerMirror = 3
)

// Download fetches the dataset's missing files into opts.Dir, else
// $FRACDYN_DATA, else the user cache, and returns that directory. Each file
// goes to NAME.part, is resumed with an HTTP Range request after a dropped
// connection, is checked against its published SHA-256 and only then renamed
// to NAME; a file that fails the check is deleted. Mirrors are tried in
// order, each a few times.
func Download(ctx context.Context, opts Options) (string, error) {
	spec, err := lookupDataset(opts.Dataset)
	if err != nil {
		return "", err
	}
	dir := downloadDir(opts, spec)
	if dir == "" {
		return "", errors.New("mnist: no directory to download into: pass --data DIR or set $" + EnvDataDir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("mnist: creating download directory: %w", err)
	}
	have := candidates(Options{Dir: dir, Dataset: spec.Name}, spec)[0]
	for i, f := range spec.Files {
		if have.Paths[i] != "" {
			continue
		}
		if err := fetchFile(ctx, spec, f, dir, opts.Progress); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// fetchFile downloads f into dir from the first mirror that delivers the
// published bytes.
func fetchFile(ctx context.Context, spec *datasetSpec, f fileSpec, dir string, progress io.Writer) error {
	final := filepath.Join(dir, f.Name)
	part := final + ".part"
	var failures []string
	for _, mirror := range spec.Mirrors {
		url := mirror + f.Name
		if !strings.HasPrefix(url, "https://") {
			failures = append(failures, url+": not HTTPS, skipped")
			continue
		}
		err := fetchURL(ctx, url, part, f, progress)
		if err == nil {
			if err := os.Rename(part, final); err != nil {
				os.Remove(part)
				return fmt.Errorf("mnist: %w", err)
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("mnist: downloading %s: %w", url, ctx.Err())
		}
		failures = append(failures, err.Error())
	}
	return fmt.Errorf("mnist: could not download %s into %s (offline? copy it there from a machine that can fetch one of these URLs):\n  %s",
		f.Name, dir, strings.Join(failures, "\n  "))
}

// permanentError marks failures that retrying the same URL cannot fix.
type permanentError struct{ error }

// fetchURL downloads url into part (resuming what part holds) and verifies
// it, with a few attempts. On return without error part holds the verified
// file; a part that fails verification is removed.
func fetchURL(ctx context.Context, url, part string, f fileSpec, progress io.Writer) error {
	delay := retryDelay
	var err error
	for attempt := 1; attempt <= attemptsPerMirror; attempt++ {
		if attempt > 1 {
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return ctx.Err()
			}
			delay *= 2
		}
		err = fetchOnce(ctx, url, part, f, progress)
		var perm permanentError
		if err == nil || errors.As(err, &perm) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	sum, err := fileSHA256(part)
	if err != nil {
		os.Remove(part)
		return fmt.Errorf("%s: %w", url, err)
	}
	if sum != f.GzSHA {
		os.Remove(part)
		return fmt.Errorf("%s: checksum mismatch: SHA-256 %s, published %s; deleted", url, sum, f.GzSHA)
	}
	return nil
}

// fetchOnce makes one request, appending to part from its current size.
func fetchOnce(ctx context.Context, url, part string, f fileSpec, progress io.Writer) error {
	var off int64
	if st, err := os.Stat(part); err == nil {
		off = st.Size()
	}
	if off > f.GzSize {
		os.Remove(part)
		off = 0
	}
	if off == f.GzSize {
		return nil // complete; the caller verifies it
	}
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	errStall := fmt.Errorf("%s: stalled: no data for %v", url, stallTimeout)
	timer := time.AfterFunc(stallTimeout, func() { cancel(errStall) })
	defer timer.Stop()

	req, err := http.NewRequestWithContext(actx, http.MethodGet, url, nil)
	if err != nil {
		return permanentError{fmt.Errorf("%s: %w", url, err)}
	}
	if off > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		if c := context.Cause(actx); c == errStall {
			return errStall
		}
		return fmt.Errorf("%s: %w", url, err)
	}
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE
	switch {
	case resp.StatusCode == http.StatusPartialContent && off > 0 &&
		strings.HasPrefix(resp.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-", off)):
		flags |= os.O_APPEND
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC
		off = 0
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable, resp.StatusCode == http.StatusPartialContent:
		os.Remove(part) // the server disagrees about what part holds: start over
		return fmt.Errorf("%s: %s for a resumed download; starting over", url, resp.Status)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%s: %s", url, resp.Status)
	default:
		return permanentError{fmt.Errorf("%s: %s", url, resp.Status)}
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return permanentError{fmt.Errorf("mnist: %w", err)}
	}
	bar := newProgress(progress, url, f.GzSize, off)
	body := &stallReader{r: resp.Body, timer: timer, d: stallTimeout}
	// Read at most one byte past the published size to notice a server
	// sending more than the file holds.
	n, copyErr := io.Copy(io.MultiWriter(out, bar), io.LimitReader(body, f.GzSize-off+1))
	syncErr := out.Sync()
	closeErr := out.Close()
	bar.Finish()
	switch {
	case off+n > f.GzSize:
		os.Remove(part)
		return permanentError{fmt.Errorf("%s: server sent more than the published %d bytes; deleted", url, f.GzSize)}
	case copyErr != nil:
		if c := context.Cause(actx); c == errStall {
			return fmt.Errorf("%w (after %d of %d bytes)", errStall, off+n, f.GzSize)
		}
		return fmt.Errorf("%s: connection broken after %d of %d bytes: %w", url, off+n, f.GzSize, copyErr)
	case syncErr != nil || closeErr != nil:
		return permanentError{fmt.Errorf("mnist: writing %s: %w", part, errors.Join(syncErr, closeErr))}
	case off+n < f.GzSize:
		return fmt.Errorf("%s: connection closed after %d of %d bytes", url, off+n, f.GzSize)
	}
	return nil
}

// stallReader pushes the stall deadline back on every successful read.
type stallReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.timer.Reset(s.d)
	}
	return n, err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// progress is a progress bar on a terminal and plain lines at every quarter
// elsewhere.
type progress interface {
	io.Writer
	Finish()
}

func newProgress(w io.Writer, url string, total, start int64) progress {
	if w == nil {
		return plainProgress{}
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(filepath.Base(url)),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
		bar.Set64(start)
		return barProgress{bar}
	}
	fmt.Fprintf(w, "downloading %s (%d bytes, from byte %d)\n", url, total, start)
	return &lineProgress{w: w, url: url, total: total, done: start, quarter: start * 4 / max(total, 1)}
}

type barProgress struct{ *progressbar.ProgressBar }

func (b barProgress) Finish() { b.ProgressBar.Finish() }

type plainProgress struct{}

func (plainProgress) Write(p []byte) (int, error) { return len(p), nil }
func (plainProgress) Finish()                     {}

type lineProgress struct {
	w                    io.Writer
	url                  string
	total, done, quarter int64
}

func (p *lineProgress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	for q := p.done * 4 / max(p.total, 1); p.quarter < q && p.quarter < 3; {
		p.quarter++
		fmt.Fprintf(p.w, "  %s: %d%%\n", filepath.Base(p.url), p.quarter*25)
	}
	return len(b), nil
}

func (p *lineProgress) Finish() {
	fmt.Fprintf(p.w, "  %s: %d of %d bytes\n", filepath.Base(p.url), p.done, p.total)
}
