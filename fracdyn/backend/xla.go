//go:build xla

package backend

// Building with -tags xla compiles in GoMLX's XLA (PJRT) backend. It is
// opt-in because the backend downloads its plugin when none is installed.
import _ "github.com/gomlx/gomlx/backends/xla"
