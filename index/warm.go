package index

import (
	"log/slog"
	"time"
)

// warmSegments maps the element blocks of the library's segments into
// memory in a background goroutine (Options.WarmSegments), one segment
// after another. After each step it sleeps as long as the step took, so
// that it takes at most about half a core from the checks running beside
// it; Close stops it within a step. A segment a Refresh retires meanwhile
// stays readable until it is closed, and one that fails to warm is left
// as it is: its blocks are read, and checked, when a check needs them.
func (l *Library) warmSegments() {
	l.mu.RLock()
	segs := append([]*segment(nil), l.segs...)
	l.mu.RUnlock()
	l.warming.Add(1)
	go func() {
		defer l.warming.Done()
		start := time.Now()
		step := time.Now()
		pause := func() bool {
			d := time.Since(step)
			time.Sleep(d)
			step = time.Now()
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
