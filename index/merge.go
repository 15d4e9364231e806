package index

import "elib/fingerprint/lsh"

// mergeLater merges the LSH and anchor indexes in the background (see
// Options.MergeAfterWrites and lsh.Index.Merge): after an import or a
// refresh their new entries sit in small runs and unsorted tails that
// every lookup of every check searches too. One goroutine merges at a
// time; a call while it runs makes it merge once more.
func (l *Library) mergeLater() {
	if !l.opts.MergeAfterWrites {
		return
	}
	l.mergeAgain.Store(true)
	if !l.merging.CompareAndSwap(false, true) {
		return
	}
	go func() {
		for {
			for l.mergeAgain.Swap(false) {
				l.mu.RLock()
				indexes := []*lsh.Index{l.lsh, l.anchors}
				l.mu.RUnlock()
				for _, x := range indexes {
					if x != nil {
						x.Merge() // a band changed meanwhile waits for the next write
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
