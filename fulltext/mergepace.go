package fulltext

import (
	"context"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"elib/internal/pace"
)

// mergePaceCallback names onScorchEvent in bleve's registry of event
// callbacks; writer handles are opened with it.
const mergePaceCallback = "elib_fulltext_merge_pace"

// pacedMergePlan is the merge policy of a writer handle opened for a
// paced Apply (a server's import): bleve merges only segments of fewer
// than 10,000 documents there, so no round rewrites the library's large
// segments — seconds of CPU that, cut short when the handle closes, the
// next import would start again — while checks wait. An Apply without a
// pace (elib import, reindex) merges with bleve's defaults, large
// segments too.
var pacedMergePlan = map[string]interface{}{"MaxSegmentSize": 20_000}

// maxSettle bounds how long a paced Apply waits, before closing its
// handle, for a round of merges in progress to end.
const maxSettle = 2 * time.Second

func init() {
	scorch.RegistryEventCallbacks[mergePaceCallback] = onScorchEvent
}

// mergePaces holds, per open writer handle, the pace its merger waits for
// and whether a round of merges runs. bleve's merger runs on its own
// goroutine, each merge a chunk of CPU nothing can split (160–250 ms after
// an import of 828 elements, benchmarks/RESULTS.md); under a server's pace
// it starts each round only when the pace lets it, as the import's own
// steps do, and the Apply lets a round that started end before closing
// the handle, which would throw the round's work away. bleve calls back
// with the handle's *scorch.Scorch and nothing of ours, hence one table
// for the process, keyed by it.
type mergePaces struct{ m sync.Map } // *scorch.Scorch → *mergePace

// mergePace is one handle's entry of mergePaces.
type mergePace struct {
	ctx context.Context // carries the pace

	mu   sync.Mutex
	done chan struct{} // open while a round of merges runs
}

var pacedMerges mergePaces

// set makes the merger of bi wait for the pace of ctx (nil: for none).
func (p *mergePaces) set(bi bleve.Index, ctx context.Context) {
	s, ok := scorchOf(bi)
	if !ok {
		return
	}
	if ctx == nil {
		p.m.Delete(s)
		return
	}
	if v, ok := p.m.Load(s); ok && v.(*mergePace).ctx == ctx {
		return
	}
	p.m.Store(s, &mergePace{ctx: ctx})
}

// settle waits, at most maxSettle, for a round of merges of bi's merger
// under a pace to end.
func (p *mergePaces) settle(bi bleve.Index) {
	s, ok := scorchOf(bi)
	if !ok {
		return
	}
	v, ok := p.m.Load(s)
	if !ok {
		return
	}
	mp := v.(*mergePace)
	mp.mu.Lock()
	done := mp.done
	mp.mu.Unlock()
	if done == nil {
		return
	}
	t := time.NewTimer(maxSettle)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// onScorchEvent is the event callback of writer handles. Before each round
// of merges it waits for the handle's pace and marks the round running;
// the round's end or the handle closing ends it. A closing handle forgets
// its pace, so its merger, which Close waits for, no longer waits for one.
func onScorchEvent(e scorch.Event) bool {
	v, ok := pacedMerges.m.Load(e.Scorch)
	if !ok {
		return true
	}
	mp := v.(*mergePace)
	end := func() {
		mp.mu.Lock()
		if mp.done != nil {
			close(mp.done)
			mp.done = nil
		}
		mp.mu.Unlock()
	}
	switch e.Kind {
	case scorch.EventKindPreMergeCheck:
		_ = pace.Wait(mp.ctx)
		mp.mu.Lock()
		if mp.done == nil {
			mp.done = make(chan struct{})
		}
		mp.mu.Unlock()
	case scorch.EventKindMergerProgress:
		end()
	case scorch.EventKindCloseStart:
		pacedMerges.m.Delete(e.Scorch)
		end()
	}
	return true
}

// scorchOf returns the scorch index under bi.
func scorchOf(bi bleve.Index) (*scorch.Scorch, bool) {
	adv, err := bi.Advanced()
	if err != nil {
		return nil, false
	}
	s, ok := adv.(*scorch.Scorch)
	return s, ok
}
