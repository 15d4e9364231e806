package index

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"elib/library/kit"
)

// assetOrder is the live assets in order: their ids sorted, and their
// published times (kit.PublishedEntry) sorted — what AssetIDs and
// PublishedOrder answer. It is built at the first need and then kept by
// each import's commit, which merges the batch in (assetOrder.with)
// instead of sorting every id again; any other change of the asset map
// (a removal, a refresh, a salvage) drops it, to be built again when next
// needed. An assetOrder is never changed once made: readers keep using
// the one they took while a commit makes the next.
type assetOrder struct {
	ids []string
	// times are the entries of the assets with a published time that an
	// entry holds, sorted; unknown counts those an entry cannot hold
	// (kit.PublishedUnknown).
	times   []int64
	unknown int
}

// order returns the live assets in order, building it if no commit kept
// it. The error is a published file's that could not be read or rebuilt.
func (l *Library) order() (*assetOrder, error) {
	l.mu.RLock()
	o, ver := l.ord, l.assetsVer
	var ids []string
	var locs []assetLoc
	if o == nil {
		ids = make([]string, 0, len(l.assets))
		locs = make([]assetLoc, 0, len(l.assets))
		for id, loc := range l.assets {
			ids, locs = append(ids, id), append(locs, loc)
		}
	}
	l.mu.RUnlock()
	if o != nil {
		return o, nil
	}
	o = &assetOrder{ids: ids, times: make([]int64, 0, len(ids))}
	segs := map[*segment]bool{}
	for _, loc := range locs {
		segs[loc.seg] = true
	}
	if err := l.readPublishedOf(segs); err != nil {
		return nil, err
	}
	for _, loc := range locs {
		entries, err := l.segmentPublished(loc.seg)
		if err != nil {
			return nil, err
		}
		o.add(entries[loc.dir])
	}
	sort.Strings(o.ids)
	slices.Sort(o.times)
	l.mu.Lock()
	if l.assetsVer == ver && l.ord == nil {
		l.ord = o // unchanged meanwhile: keep it
	}
	l.mu.Unlock()
	return o, nil
}

// add counts one asset's published entry (o.times unsorted).
func (o *assetOrder) add(e int64) {
	switch e {
	case kit.PublishedNone:
	case kit.PublishedUnknown:
		o.unknown++
	default:
		o.times = append(o.times, e)
	}
}

// with returns the order after a commit that replaced the assets whose
// entries were gone (their ids stay live) and added the new assets ids
// with entries (added[i]'s is entries[i]; ids new or among the
// replaced). o is not changed.
func (o *assetOrder) with(gone []int64, added []string, entries []int64) *assetOrder {
	next := &assetOrder{unknown: o.unknown}
	// Ids: the new ones merged in (a replaced id is there already).
	fresh := make([]string, 0, len(added))
	for _, id := range added {
		if _, ok := slices.BinarySearch(o.ids, id); !ok {
			fresh = append(fresh, id)
		}
	}
	sort.Strings(fresh)
	next.ids = mergeSorted(o.ids, slices.Compact(fresh), strings.Compare)
	// Times: the replaced ones taken out, the new ones merged in.
	drop := &assetOrder{}
	for _, e := range gone {
		drop.add(e)
	}
	slices.Sort(drop.times)
	next.unknown -= drop.unknown
	add := &assetOrder{}
	for _, e := range entries {
		add.add(e)
	}
	slices.Sort(add.times)
	next.unknown += add.unknown
	kept := make([]int64, 0, len(o.times))
	j := 0
	for _, t := range o.times {
		for j < len(drop.times) && drop.times[j] < t {
			j++ // not there (cannot happen): nothing to take out
		}
		if j < len(drop.times) && drop.times[j] == t {
			j++ // one occurrence per replaced asset
			continue
		}
		kept = append(kept, t)
	}
	next.times = mergeSorted(kept, add.times, cmp.Compare[int64])
	return next
}

// mergeSorted merges two sorted slices into a new one.
func mergeSorted[T any](a, b []T, cmp func(T, T) int) []T {
	out := make([]T, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if cmp(b[j], a[i]) < 0 {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// PublishedOrder returns the live assets' published entries that hold a
// time, sorted (kit.PublishedEntry; the slice is shared: not to be
// changed), and how many live assets there are; ok is false when some
// asset's time is one an entry cannot hold (kit.PublishedOrder).
func (l *Library) PublishedOrder() (entries []int64, assets int, ok bool, err error) {
	o, err := l.order()
	if err != nil {
		return nil, 0, false, err
	}
	return o.times, len(o.ids), o.unknown == 0, nil
}

var _ kit.PublishedOrder = (*Library)(nil)

// goneEntries returns the published entries of the assets a commit
// replaces, when the asset order is there to keep (keep: the commit only
// adds and replaces assets); ok false when it is not to be kept.
func (l *Library) goneEntries(replaced map[string]assetLoc, keep bool) (gone []int64, ok bool) {
	l.mu.RLock()
	has := l.ord != nil
	l.mu.RUnlock()
	if !keep || !has {
		return nil, false
	}
	for _, loc := range replaced {
		entries, err := l.segmentPublished(loc.seg)
		if err != nil || int(loc.dir) >= len(entries) {
			return nil, false // built again at the next need
		}
		gone = append(gone, entries[loc.dir])
	}
	return gone, true
}

// withCommit is with for a commit of prep, whose assets' entries are
// entries (the new segment's, in prep's order); nil when they do not
// match (the order is then built again at the next need).
func (o *assetOrder) withCommit(gone []int64, prep []kit.Prepared, entries []int64) *assetOrder {
	if len(entries) != len(prep) {
		return nil
	}
	ids := make([]string, len(prep))
	seen := make(map[string]bool, len(prep))
	for i := range prep {
		ids[i] = prep[i].Record.Asset.ID
		if seen[ids[i]] {
			return nil // one id twice (kit.ImportBatch keeps the last)
		}
		seen[ids[i]] = true
	}
	return o.with(gone, ids, entries)
}
