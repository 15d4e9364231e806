//go:build !linux

package index

import "time"

// threadCPU cannot read a thread's CPU time here: warmSegments paces by
// wall time instead.
func threadCPU() (time.Duration, bool) { return 0, false }
