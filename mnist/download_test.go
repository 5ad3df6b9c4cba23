package mnist

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// mirror is an HTTPS test server on 127.0.0.1 serving files with
// http.ServeContent (which honours Range), with faults injected per path.
type mirror struct {
	srv    *httptest.Server
	mu     sync.Mutex
	files  map[string][]byte
	fault  map[string]string // path -> "404", "500", "drop", "stall", "garbage"
	ranges []string          // Range headers received, in order
	gets   map[string]int    // requests per path
}

func newMirror(t *testing.T, files map[string][]byte) *mirror {
	m := &mirror{files: files, fault: map[string]string{}, gets: map[string]int{}}
	m.srv = httptest.NewTLSServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *mirror) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	name := strings.TrimPrefix(r.URL.Path, "/")
	data, ok := m.files[name]
	fault := m.fault[name]
	m.ranges = append(m.ranges, r.Header.Get("Range"))
	m.gets[name]++
	if fault == "drop" {
		delete(m.fault, name) // drop once, then serve
	}
	m.mu.Unlock()
	switch {
	case !ok || fault == "404":
		http.NotFound(w, r)
	case fault == "500":
		http.Error(w, "boom", http.StatusInternalServerError)
	case fault == "garbage":
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(bytes.Repeat([]byte{7}, len(data))))
	case fault == "drop":
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // close the connection half-way
	case fault == "stall":
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/3])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	default:
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	}
}

// setupDownload registers the tiny dataset with m as its only mirror and
// fast timeouts, and returns the spec.
func setupDownload(t *testing.T) (*datasetSpec, *mirror) {
	t.Helper()
	isolate(t)
	src := t.TempDir()
	spec := tinySpec(t, src)
	files := map[string][]byte{}
	for _, f := range spec.Files {
		files[f.Name], _ = os.ReadFile(filepath.Join(src, f.Name))
	}
	m := newMirror(t, files)
	spec.Mirrors = []string{m.srv.URL + "/"}
	oldClient, oldStall, oldDelay := httpClient, stallTimeout, retryDelay
	client := m.srv.Client()
	client.CheckRedirect = oldClient.CheckRedirect
	httpClient, stallTimeout, retryDelay = client, 300*time.Millisecond, time.Millisecond
	t.Cleanup(func() { httpClient, stallTimeout, retryDelay = oldClient, oldStall, oldDelay })
	return spec, m
}

func TestDownloadResumesAndVerifies(t *testing.T) {
	spec, m := setupDownload(t)
	big := spec.Files[0].Name
	m.fault[big] = "drop"
	dir := t.TempDir()
	var log bytes.Buffer
	d, err := Load(context.Background(), Options{Dir: dir, Dataset: "tiny", Download: true, Progress: &log})
	if err != nil {
		t.Fatal(err)
	}
	if d.Partial || d.Train.N != 30 || d.Eval.N != 20 || d.Dir != dir {
		t.Fatalf("partial=%v train=%d eval=%d dir=%s", d.Partial, d.Train.N, d.Eval.N, d.Dir)
	}
	// The dropped file was resumed from the byte where it broke.
	half := len(m.files[big]) / 2
	if want := "bytes=" + strconv.Itoa(half) + "-"; !contains(m.ranges, want) {
		t.Errorf("no resume request %q among %q", want, m.ranges)
	}
	if !strings.Contains(log.String(), "downloading "+m.srv.URL) {
		t.Errorf("progress log: %q", log.String())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*.part"))
	if len(leftovers) != 0 {
		t.Errorf("left behind %v", leftovers)
	}
}

func TestDownloadFaults(t *testing.T) {
	for _, fault := range []string{"404", "500", "garbage", "stall"} {
		t.Run(fault, func(t *testing.T) {
			spec, m := setupDownload(t)
			name := spec.Files[2].Name
			m.fault[name] = fault
			dir := t.TempDir()
			_, err := Load(context.Background(), Options{Dir: dir, Dataset: "tiny", Download: true})
			want := map[string]string{"404": "404", "500": "500", "garbage": "checksum mismatch", "stall": "stalled"}[fault]
			wantErr(t, err, m.srv.URL+"/"+name, want)
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s exists after a failed download", name)
			}
			if fault == "garbage" {
				if _, err := os.Stat(filepath.Join(dir, name+".part")); err == nil {
					t.Error("a part that failed its checksum was kept")
				}
			}
			// 404 and a checksum mismatch are final for a mirror; the
			// others are retried attemptsPerMirror times.
			wantGets := attemptsPerMirror
			if fault == "404" || fault == "garbage" {
				wantGets = 1
			}
			if m.gets[name] != wantGets {
				t.Errorf("%d requests for %s, want %d", m.gets[name], name, wantGets)
			}
		})
	}
}

func TestDownloadRefusesHTTP(t *testing.T) {
	spec, _ := setupDownload(t)
	spec.Mirrors = []string{"http://127.0.0.1:1/"}
	_, err := Download(context.Background(), Options{Dir: t.TempDir(), Dataset: "tiny"})
	wantErr(t, err, "not HTTPS")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
