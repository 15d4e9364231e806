//go:build !unix

package footage

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }

func TestCPUTimeUnmeasured(t *testing.T) {
	assert.Zero(t, cpuTime())
}
