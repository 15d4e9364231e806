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
// concurrent use; it grows with the refs looked up. A lookup takes no
// lock: the pages are a slice replaced, never changed, when it grows.
type refTimes struct {
	mu    sync.Mutex // held to add a page
	pages atomic.Pointer[[]atomic.Pointer[refPage]]
}

// refPageBits sizes a page: 4,096 refs, 32 KiB.
const refPageBits = 12

// refPage holds entry+1 per ref of the page (0: not known yet).
type refPage [1 << refPageBits]atomic.Int64

func newRefTimes() *refTimes { return &refTimes{} }

// page returns ref's page, nil if there is none yet.
func (r *refTimes) page(ref uint32) *refPage {
	ps := r.pages.Load()
	if i := int(ref >> refPageBits); ps != nil && i < len(*ps) {
		return (*ps)[i].Load()
	}
	return nil
}

// get returns ref's entry, if known.
func (r *refTimes) get(ref uint32) (int64, bool) {
	p := r.page(ref)
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
	p := r.page(ref)
	if p == nil {
		p = r.addPage(ref)
	}
	p[ref&(1<<refPageBits-1)].Store(entry + 1)
}

// addPage returns ref's page, adding it (and growing the slice of pages
// into a new one) if there is none.
func (r *refTimes) addPage(ref uint32) *refPage {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.page(ref); p != nil {
		return p
	}
	var pages []atomic.Pointer[refPage]
	if ps := r.pages.Load(); ps != nil {
		pages = *ps
	}
	i := int(ref >> refPageBits)
	if i >= len(pages) {
		grown := make([]atomic.Pointer[refPage], max(i+1, 2*len(pages)))
		for k := range pages {
			grown[k].Store(pages[k].Load())
		}
		pages = grown
		r.pages.Store(&grown)
	}
	p := new(refPage)
	pages[i].Store(p)
	return p
}

// cutoffEntry is the cutoff an as-of view compares entries with, and
// whether it can (a time outside the entries' range cannot).
func cutoffEntry(cutoff time.Time) (int64, bool) {
	e := kit.PublishedEntry(cutoff, true)
	return e, e != kit.PublishedNone && e != kit.PublishedUnknown
}
