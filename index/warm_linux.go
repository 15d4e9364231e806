package index

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time the calling OS thread has used (ok false when
// it cannot be read); the caller locks its goroutine to the thread.
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
