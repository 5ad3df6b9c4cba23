package backend

import (
	"fmt"
	"runtime/debug"
)

// GoMLXModule is the module path of GoMLX.
const GoMLXModule = "github.com/gomlx/gomlx"

// GoMLXVersion is the GoMLX version whose unexported layout the pure-Go
// wrapper reads and writes (simplego's executor table by go:linkname, the
// worker pool's counter by an unsafe offset, op parameters by reflection).
const GoMLXVersion = "v0.26.0"

// linkedGoMLXVersion returns the version of GoMLX linked into the binary,
// from its build information: the replacement's version if the module is
// replaced, "" if the build information lists no GoMLX (go test binaries
// carry no dependency list, for instance).
func linkedGoMLXVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range info.Deps {
		if m.Path != GoMLXModule {
			continue
		}
		if m.Replace != nil {
			return m.Replace.Version
		}
		return m.Version
	}
	return ""
}

// checkGoMLXVersion returns an error unless version is GoMLXVersion, the
// one the wrapper was written for. An empty version (no build
// information, as in go test binaries) or "(devel)" (a local replacement
// of GoMLX) cannot be checked and is accepted: the wrapper's reflection
// checks and its tests are then the only guard.
func checkGoMLXVersion(version string) error {
	switch version {
	case GoMLXVersion, "", "(devel)":
		return nil
	}
	return fmt.Errorf("backend: the pure-Go backend wrapper reads GoMLX %s internals, but this binary links %s %s; "+
		"build with %s@%s (see go.mod) or update fracdyn/backend for the new version", GoMLXVersion, GoMLXModule, version, GoMLXModule, GoMLXVersion)
}
