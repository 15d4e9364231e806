// Package cputime measures the process's CPU time over benchmark loops.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Timer measures the process's CPU time (user and system, all threads)
// over a benchmark loop. On a shared machine ns/op counts the waits for a
// core; CPU time per op does not.
type Timer struct{ start time.Duration }

// Start starts a Timer; call it right before the benchmark loop.
func Start() Timer { return Timer{processCPU()} }

// Report adds a "cpu-ns/op" metric: the CPU time since Start over b.N.
func (c Timer) Report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
