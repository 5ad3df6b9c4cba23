// Package backend chooses the GoMLX backend fracdyn computes on.
//
// The default is the pure-Go backend "go" (simplego), so that a default build
// never downloads anything. Users who have a PJRT plugin opt into XLA by
// building with the tag "xla" and setting GOMLX_BACKEND=xla:cpu or
// GOMLX_BACKEND=xla:cuda.
//
// The pure-Go backend comes wrapped (wrap.go): missing ops, faster kernels
// and a deadlock fix, all read from GoMLX v0.26.0 internals, so New refuses
// any other linked GoMLX version (GoMLXVersion) with an error. The
// wrapper's cheaper DotGeneral gradient goes into GoMLX's process-wide
// gradient table only on EnableDotGeneralGradient, which fracdyn's own
// training calls; other graphs in a process that never calls it keep
// GoMLX's own gradient.
package backend

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// EnvVar is the environment variable that selects the backend, GoMLX's own.
const EnvVar = backends.ConfigEnvVar

// Default is the configuration used when EnvVar is unset: the pure-Go backend.
const Default = simplego.BackendName

// Config returns the backend configuration that New uses: $GOMLX_BACKEND if
// set and non-empty, else Default.
func Config() string {
	if c := strings.TrimSpace(os.Getenv(EnvVar)); c != "" {
		return c
	}
	return Default
}

var (
	mu    sync.Mutex
	cache = map[string]backends.Backend{}
)

// New returns the backend named by Config, creating it once per process.
// An unknown name, or "xla" in a build without the "xla" tag, is an error
// that lists the compiled-in backends.
func New() (backends.Backend, error) { return NewWithConfig(Config()) }

// NewWithConfig returns the backend for config ("go", "xla:cpu", ...),
// creating it once per process.
func NewWithConfig(config string) (b backends.Backend, err error) {
	mu.Lock()
	defer mu.Unlock()
	if b, ok := cache[config]; ok {
		return b, nil
	}
	name, _, _ := strings.Cut(config, ":")
	available := backends.List()
	slices.Sort(available)
	if !slices.Contains(available, name) {
		hint := ""
		if name == "xla" || name == "stablehlo" {
			hint = " (XLA is opt-in: rebuild with -tags xla and install its PJRT plugin)"
		}
		return nil, fmt.Errorf("backend %q from %s=%q is not compiled in%s; available: %s",
			name, EnvVar, config, hint, strings.Join(available, ", "))
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("backend %q failed to start: %v", config, r)
		}
	}()
	b, err = backends.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("backend %q failed to start: %w", config, err)
	}
	if b, err = wrap(b); err != nil {
		return nil, err
	}
	cache[config] = b
	return b, nil
}

// MustNew is New for tests and examples: it panics on error.
func MustNew() backends.Backend {
	b, err := New()
	if err != nil {
		panic(err)
	}
	return b
}

// Describe names the backend for logs and run configs, e.g. "go (SimpleGo)".
func Describe(b backends.Backend) string {
	return fmt.Sprintf("%s: %s", b.Name(), b.Description())
}
