package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// gomlxModule is the module path of GoMLX, whose version "fracdyn
// --version" reports.
const gomlxModule = "github.com/gomlx/gomlx"

// versionText is what "fracdyn --version" prints: the module version, the
// VCS revision and time when the binary was built from a checkout, the Go
// version and the GoMLX version, one per line. bi may be nil (no build
// information), in which case only the Go version is known.
func versionText(bi *debug.BuildInfo) string {
	var b strings.Builder
	mod, gomlx := "unknown", "unknown"
	if bi != nil {
		mod = bi.Main.Path + " " + bi.Main.Version
		for _, d := range bi.Deps {
			if d.Path == gomlxModule {
				gomlx = d.Version
				if d.Replace != nil {
					gomlx += " => " + d.Replace.Path + " " + d.Replace.Version
				}
			}
		}
	}
	fmt.Fprintf(&b, "fracdyn %s\n", mod)
	if bi != nil {
		var rev, at, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
		if rev != "" {
			fmt.Fprintf(&b, "revision %s %s%s\n", rev, at, modified)
		}
	}
	goVersion := runtime.Version()
	if bi != nil && bi.GoVersion != "" {
		goVersion = bi.GoVersion
	}
	fmt.Fprintf(&b, "go %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "gomlx %s\n", gomlx)
	return b.String()
}
