package index

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"elib/index/fulltext"
	"elib/index/manifest"
)

// retireDelay is how long a segment or search-index handle replaced by
// Refresh stays open: readers take a segment under the library's lock but
// read its file after releasing it, so closing at once could fail a read
// in flight.
const retireDelay = time.Minute

// retiredItem is a segment or search index a Refresh replaced, and when.
type retiredItem struct {
	at  time.Time
	seg *segment
	ft  *fulltext.Index
}

// Refresh brings a read-only library up to date with the generation that
// another process (elib import, remove, reindex, allowlist) committed since
// Open or the last Refresh, and reports whether anything changed. A
// long-running reader (elib serve without a token) calls it periodically.
//
// When the manifest's generation is the one loaded, Refresh only reads the
// manifest. Otherwise it builds the new state beside the current one —
// taking over the open segments the new generation still lists, opening
// and verifying only new ones — and swaps it in at once, so readers see
// either the old or the new state, never a mix. Segments and the search
// index handle that are no longer used are closed by a Refresh at least a
// minute later, or by Close. On error the library keeps its current state.
//
// Refresh is safe concurrently with every read method and with itself. For
// a writable or in-memory library, which is always current, it does
// nothing and returns false.
func (l *Library) Refresh() (bool, error) {
	if l.dir == "" || !l.opts.ReadOnly {
		return false, nil
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.RLock()
	closed, gen, old := l.closed, l.man.Generation, l.segs
	l.mu.RUnlock()
	if closed {
		return false, fmt.Errorf("refresh library %s: library closed", l.dir)
	}
	if err := l.closeRetired(time.Now(), false); err != nil {
		slog.Warn("close a replaced search index", "err", err)
	}
	m, err := manifest.Read(l.dir)
	if err != nil {
		return false, fmt.Errorf("refresh library %s: %w", l.dir, err)
	}
	if m.Generation == gen {
		return false, nil
	}

	reuse := make(map[uint64]*segment, len(old))
	for _, s := range old {
		if s.r != nil && !s.damaged {
			reuse[s.meta.Seq] = s
		}
	}
	next := &Library{dir: l.dir, opts: l.opts, engine: l.engine, dec: l.dec, cache: l.cache}
	// As in Open: a writer swapping generations may delete the files of
	// the manifest just read; the next manifest then names the new ones.
	for attempt := 0; ; attempt++ {
		err := next.loadState(reuse)
		if err == nil {
			break
		}
		next.closeNewSegments(reuse)
		if attempt >= 4 || !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("refresh: %w", err)
		}
	}

	inUse := make(map[*segment]bool, len(next.segs))
	for _, s := range next.segs {
		inUse[s] = true
	}
	l.mu.Lock()
	l.man, l.params, l.segs, l.lsh = next.man, next.params, next.segs, next.lsh
	l.types, l.live, l.assets = next.types, next.live, next.assets
	l.sketch, l.damage = next.sketch, next.damage
	ft := l.ft
	// Search reopens the search index lazily, at the new generation's
	// directory (a reindex builds a new one).
	l.ft, l.ftErr = nil, nil
	l.mu.Unlock()

	now := time.Now()
	for _, s := range old {
		if !inUse[s] && s.r != nil {
			l.retired = append(l.retired, retiredItem{at: now, seg: s})
		}
	}
	if ft != nil {
		l.retired = append(l.retired, retiredItem{at: now, ft: ft})
	}
	return true, nil
}

// closeNewSegments closes the segments of a failed loadState that it
// opened itself (not those taken from reuse).
func (l *Library) closeNewSegments(reuse map[uint64]*segment) {
	for _, s := range l.segs {
		if s != nil && s.r != nil && reuse[s.meta.Seq] != s {
			s.r.Close()
		}
	}
	l.segs = nil
}

// closeRetired closes what Refresh retired at least retireAfter before
// now, or everything when all is set. The caller holds l.wmu.
func (l *Library) closeRetired(now time.Time, all bool) error {
	after := l.retireAfter
	if after <= 0 {
		after = retireDelay
	}
	var firstErr error
	kept := l.retired[:0]
	for _, r := range l.retired {
		if !all && now.Sub(r.at) < after {
			kept = append(kept, r)
			continue
		}
		if r.seg != nil {
			r.seg.r.Close()
			l.cache.drop(r.seg)
		}
		if r.ft != nil {
			if err := r.ft.Close(); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	clear(l.retired[len(kept):])
	l.retired = kept
	return firstErr
}
