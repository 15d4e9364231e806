package index

import (
	"log/slog"
	"runtime"
	"time"
)

// warmSegments maps the element blocks of the library's segments into
// memory in a background goroutine (Options.WarmSegments), one segment
// after another. After each step it sleeps as long as the step took of
// CPU (of wall time where a thread's CPU time cannot be read), so that it
// takes at most about half a core from the checks running beside it
// while a step waiting for the disk sleeps no longer; Close stops it
// within a step. A segment a Refresh retires meanwhile stays readable
// until it is closed, and one that fails to warm is left as it is: its
// blocks are read, and checked, when a check needs them.
func (l *Library) warmSegments() {
	l.mu.RLock()
	segs := append([]*segment(nil), l.segs...)
	l.mu.RUnlock()
	l.warming.Add(1)
	go func() {
		defer l.warming.Done()
		runtime.LockOSThread() // threadCPU reads this thread's time
		defer runtime.UnlockOSThread()
		start := time.Now()
		spent := func() time.Duration {
			if cpu, ok := threadCPU(); ok {
				return cpu
			}
			return time.Since(start)
		}
		last := spent()
		pause := func() bool {
			now := spent()
			time.Sleep(now - last)
			last = spent()
			return !l.stopWarming.Load()
		}
		for _, s := range segs {
			if l.stopWarming.Load() {
				return
			}
			if s.damaged || s.r == nil {
				continue
			}
			if err := s.r.WarmElements(pause); err != nil {
				slog.Debug("segment not warmed", "library", l.dir, "error", err)
			}
		}
		slog.Debug("segments warmed", "library", l.dir, "segments", len(segs), "took", time.Since(start))
	}()
}
