//go:build !unix

package bench

import "time"

// CPUTime is the user+system CPU time this process has used so far; on
// systems without getrusage (Windows, Plan 9, wasm) it is 0.
func CPUTime() time.Duration { return 0 }

// PeakRSSMB is this process's peak resident set size in MB; on systems
// without getrusage it is 0.
func PeakRSSMB() float64 { return 0 }
