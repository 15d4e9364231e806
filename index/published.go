package index

import (
	"time"
)

// now is the library's clock: Options.Now, else time.Now.
func (l *Library) now() time.Time {
	if l.opts.Now != nil {
		return l.opts.Now()
	}
	return time.Now()
}
