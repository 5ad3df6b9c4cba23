//go:build unix

package bench

import (
	"syscall"
	"time"
)

// CPUTime is the user+system CPU time this process has used so far. On a
// shared machine it measures the work done, where wall time also counts
// waiting for other processes.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSSMB is this process's peak resident set size in MB (Linux reports
// ru_maxrss in KB).
func PeakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
