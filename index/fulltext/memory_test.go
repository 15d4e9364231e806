package fulltext

import "sort"

// The search rules on documents held in memory, for the tests that
// compare them with bleve's.

// Matches reports whether d satisfies q's filters (not its text).
func Matches(d *Doc, q Query) bool {
	for _, f := range q.Where {
		if numericKeys[f.Key] {
			r, _ := ParseRange(f.Value)
			if d.BPM == nil || !r.Contains(*d.BPM) {
				return false
			}
			continue
		}
		ok := false
		for _, field := range filterFields(f.Key) {
			want := filterValue(field, f.Value)
			for _, have := range d.values(field) {
				ok = ok || filterValue(field, have) == want
			}
		}
		if !ok {
			return false
		}
	}
	if q.BPM != nil && (d.BPM == nil || !q.BPM.Contains(*d.BPM)) {
		return false
	}
	if !q.Since.IsZero() && (d.Published.IsZero() || d.Published.Before(q.Since)) {
		return false
	}
	if !q.Until.IsZero() && (d.Published.IsZero() || d.Published.After(q.Until)) {
		return false
	}
	return true
}

// SortDocs orders hits of docs (same order, same length) by q.Sort; ties
// keep their order.
func SortDocs(hits []Hit, docs []*Doc, sortBy string) {
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	key := func(d *Doc) (float64, bool) {
		switch sortBy {
		case SortPlays:
			if d.Plays != nil {
				return *d.Plays, true
			}
		case SortCreated:
			if !d.Published.IsZero() {
				return float64(d.Published.UnixNano()), true
			}
		}
		return 0, false
	}
	if sortBy == "" || sortBy == SortScore {
		return
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, okx := key(docs[idx[a]])
		y, oky := key(docs[idx[b]])
		if okx != oky {
			return okx
		}
		return x > y
	})
	h2, d2 := make([]Hit, len(hits)), make([]*Doc, len(docs))
	for i, j := range idx {
		h2[i], d2[i] = hits[j], docs[j]
	}
	copy(hits, h2)
	copy(docs, d2)
}
