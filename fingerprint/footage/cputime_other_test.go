//go:build !unix

package footage

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
