package insight

import (
	"sync"
	"sync/atomic"
	"time"

	"elib/library/kit"
)

// refTimes remembers, by element ref, the published time of the asset
// holding the element, as one timeline knows it (a kit.PublishedEntry):
// the as-of views of every check over that timeline hide later assets'
// anchor holders and candidates by ref, without asking the library which
// asset holds each and looking its time up by id. A ref's asset is fixed
// (refs are never reused), and so is its time within a timeline. Safe for
// concurrent use; it grows with the refs looked up.
type refTimes struct {
	mu    sync.RWMutex
	pages map[uint32]*refPage
}

// refPageBits sizes a page: 4,096 refs, 32 KiB.
const refPageBits = 12

// refPage holds entry+1 per ref of the page (0: not known yet).
type refPage [1 << refPageBits]atomic.Int64

func newRefTimes() *refTimes { return &refTimes{pages: map[uint32]*refPage{}} }

// get returns ref's entry, if known.
func (r *refTimes) get(ref uint32) (int64, bool) {
	r.mu.RLock()
	p := r.pages[ref>>refPageBits]
	r.mu.RUnlock()
	if p == nil {
		return 0, false
	}
	v := p[ref&(1<<refPageBits-1)].Load()
	return v - 1, v != 0
}

// put remembers ref's entry (entries a ref cannot hold are not kept).
func (r *refTimes) put(ref uint32, entry int64) {
	if entry == kit.PublishedUnknown || entry+1 == 0 {
		return
	}
	r.mu.RLock()
	p := r.pages[ref>>refPageBits]
	r.mu.RUnlock()
	if p == nil {
		r.mu.Lock()
		if p = r.pages[ref>>refPageBits]; p == nil {
			p = new(refPage)
			r.pages[ref>>refPageBits] = p
		}
		r.mu.Unlock()
	}
	p[ref&(1<<refPageBits-1)].Store(entry + 1)
}

// cutoffEntry is the cutoff an as-of view compares entries with, and
// whether it can (a time outside the entries' range cannot).
func cutoffEntry(cutoff time.Time) (int64, bool) {
	e := kit.PublishedEntry(cutoff, true)
	return e, e != kit.PublishedNone && e != kit.PublishedUnknown
}
