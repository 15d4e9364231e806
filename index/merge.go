package index

import (
	"context"
	"time"

	"elib/fingerprint/lsh"
	"elib/internal/pace"
)

// maxMergeYield bounds how long mergeLater yields to checks in all.
const maxMergeYield = 100 * time.Millisecond

// mergeLater merges the LSH and anchor indexes in the background (see
// Options.MergeAfterWrites and lsh.Index.Merge): after an import or a
// refresh their new entries sit in small runs and unsorted tails that
// every lookup of every check searches too. One goroutine merges at a
// time; a call while it runs makes it merge once more. It merges band by
// band under the pace (package pace) of ctx, if any — an API import's,
// kept after the import answers — so that it yields to the checks as the
// import's own steps do, for maxMergeYield in all: until merged, every
// check costs more (RESULTS: ~40 % more CPU per check after a 200-asset
// import), so under a load that never pauses it must not wait 50 ms a band.
func (l *Library) mergeLater(ctx context.Context) {
	if !l.opts.MergeAfterWrites {
		return
	}
	ctx = pace.Within(context.WithoutCancel(ctx), maxMergeYield)
	l.mergeCtx.Store(&ctx)
	l.mergeAgain.Store(true)
	if !l.merging.CompareAndSwap(false, true) {
		return
	}
	go func() {
		for {
			for l.mergeAgain.Swap(false) {
				ctx := *l.mergeCtx.Load()
				l.mu.RLock()
				indexes := []*lsh.Index{l.lsh, l.anchors}
				l.mu.RUnlock()
				for _, x := range indexes {
					if x != nil {
						_, _ = x.MergeContext(ctx) // a band changed meanwhile waits for the next write
					}
				}
			}
			l.merging.Store(false)
			if !l.mergeAgain.Load() || !l.merging.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}
