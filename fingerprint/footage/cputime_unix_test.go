//go:build unix

package footage

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPUTimeAdvancesWithWork(t *testing.T) {
	before := cpuTime()
	assert.Positive(t, before)
	sum := 0
	for deadline := time.Now().Add(30 * time.Millisecond); time.Now().Before(deadline); {
		for i := 0; i < 10000; i++ {
			sum += i
		}
	}
	assert.NotZero(t, sum)
	assert.Greater(t, cpuTime(), before)
}
