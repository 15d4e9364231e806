package index

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"elib/library/kit"
)

// outcomeLinks answers kit.OutcomeIndex from memory: which stored
// outcomes name an asset among their sources, and which are published at
// or after a time — so that an import's invalidation (insight.BeforeImport)
// reads the outcomes it may change, not every one. It is built from the
// state at the first question (one pass over every outcome, as a scan) and
// then kept by the process's own writes (addRun); a state read again from
// the folder (another process wrote) drops it.
//
// Links are only added: an outcome computed again or marked stale leaves
// the old ones in place, and every answer is checked against the state
// (the entry fresh, its sources or time as they are now), so a link too
// many costs a look, never a wrong answer. Once more outcomes were linked
// than twice those stored, the links are dropped and built again.
type outcomeLinks struct {
	// names are the linked outcomes' ids, by link number (an outcome
	// linked again has a new number); the ids and sources kept are
	// copies, so that they keep no outcome file's strings alive.
	names    []string
	bySource map[string][]int32 // source → numbers of the outcomes that named it
	byTime   []timedLink        // sorted by time, then number
	tail     []timedLink        // added since byTime was sorted
}

// outcomeTailMax is how many links by time may wait unsorted (scanned
// at each question) beyond a sixteenth of the sorted ones (a variable for
// tests).
var outcomeTailMax = 1024

// timedLink is a linked outcome's number and its published time.
type timedLink struct {
	sec  int64
	nsec int32
	n    int32
}

func timedOf(n int32, t time.Time) timedLink {
	return timedLink{sec: t.Unix(), nsec: int32(t.Nanosecond()), n: n}
}

func (a timedLink) compare(b timedLink) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(a.nsec, b.nsec); c != 0 {
		return c
	}
	return cmp.Compare(a.n, b.n)
}

// outcomeSummaries reads entries' published times and sources, one
// decoder per file.
type outcomeSummaries struct {
	ds      map[*outcomeSource]*outcomeDecoder
	sources []string
}

// of returns e's published time and sources (the slice is valid until
// the next call); ok is false for an entry without an outcome.
func (s *outcomeSummaries) of(e outcomeRef) (published time.Time, sources []string, ok bool, err error) {
	switch {
	case e.decoded != nil:
		return e.decoded.Published, e.decoded.Sources, true, nil
	case e.src != nil:
		if s.ds == nil {
			s.ds = map[*outcomeSource]*outcomeDecoder{}
		}
		d := s.ds[e.src]
		if d == nil {
			d = e.src.decoder()
			s.ds[e.src] = d
		}
		d.b, d.err = e.src.body[e.off:], nil
		published, s.sources = d.summary(s.sources[:0])
		return published, s.sources, true, d.err
	}
	return time.Time{}, nil, false, nil
}

// add links the outcome of id, published at p, naming sources.
func (x *outcomeLinks) add(id string, p time.Time, sources []string) {
	n := int32(len(x.names))
	x.names = append(x.names, strings.Clone(id))
	for _, src := range sources {
		links, ok := x.bySource[src]
		if !ok {
			src = strings.Clone(src)
		}
		x.bySource[src] = append(links, n)
	}
	x.tail = append(x.tail, timedOf(n, p))
}

// linksLocked returns st's links, building them if there are none (under
// st.mu).
func (st *outcomeState) linksLocked() (*outcomeLinks, error) {
	if st.links != nil {
		return st.links, nil
	}
	x := &outcomeLinks{bySource: map[string][]int32{}, names: make([]string, 0, len(st.ids)), tail: make([]timedLink, 0, len(st.ids))}
	var sum outcomeSummaries
	for i, id := range st.ids {
		e := st.refs[i]
		if !e.fresh() {
			continue // fresh again only by a write, which adds it
		}
		p, sources, _, err := sum.of(e)
		if err != nil {
			return nil, fmt.Errorf("outcomes: %s: %w", id, err)
		}
		x.add(id, p, sources)
	}
	st.links = x
	return x, nil
}

// addRun links the outcomes of a run the process wrote and laid over the
// state (under st.mu); too many links drop them all.
func (st *outcomeState) addRun(r *outcomeRun) {
	x := st.links
	if x == nil {
		return
	}
	var sum outcomeSummaries
	for i, id := range r.ids {
		p, sources, ok, err := sum.of(r.refs[i])
		if err != nil {
			st.links = nil // built again, and the error told, at the next question
			return
		}
		if ok {
			x.add(id, p, sources)
		}
	}
	if len(x.names) > 2*len(st.ids)+4096 {
		st.links = nil
	}
}

// FreshOutcomesNaming returns, sorted, those of ids that have a fresh
// outcome and the ids of the fresh outcomes naming one of ids among their
// sources (kit.OutcomeIndex).
func (l *Library) FreshOutcomesNaming(ids []string) ([]string, error) {
	st, err := l.outcomeLocked()
	if err != nil {
		return nil, err
	}
	defer st.mu.Unlock()
	x, err := st.linksLocked()
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	var sum outcomeSummaries
	for _, id := range ids {
		if e, ok := st.get(id); ok && e.fresh() {
			found[id] = true
		}
		for _, k := range x.bySource[id] {
			oid := x.names[k]
			e, ok := st.get(oid)
			if found[oid] || !ok || !e.fresh() {
				continue
			}
			_, sources, _, err := sum.of(e)
			if err != nil {
				return nil, fmt.Errorf("outcomes: %s: %w", oid, err)
			}
			if slices.Contains(sources, id) {
				found[oid] = true
			}
		}
	}
	out := make([]string, 0, len(found))
	for id := range found {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// FreshOutcomesFrom calls fn with the id and published time of every
// fresh outcome published at or after t, once each (kit.OutcomeIndex).
// fn must not call the store.
func (l *Library) FreshOutcomesFrom(t time.Time, fn func(id string, published time.Time)) error {
	st, err := l.outcomeLocked()
	if err != nil {
		return err
	}
	defer st.mu.Unlock()
	x, err := st.linksLocked()
	if err != nil {
		return err
	}
	if len(x.tail) > outcomeTailMax+len(x.byTime)/16 {
		slices.SortFunc(x.tail, timedLink.compare)
		x.byTime = mergeSorted(x.byTime, x.tail, timedLink.compare)
		x.tail = nil
	}
	from := timedOf(-1, t)
	seen := map[string]bool{}
	var sum outcomeSummaries
	look := func(c timedLink) error {
		id := x.names[c.n]
		e, ok := st.get(id)
		if seen[id] || !ok || !e.fresh() {
			return nil
		}
		p, _, _, err := sum.of(e)
		if err != nil {
			return fmt.Errorf("outcomes: %s: %w", id, err)
		}
		if !p.Before(t) {
			seen[id] = true
			fn(id, p)
		}
		return nil
	}
	i := sort.Search(len(x.byTime), func(i int) bool { return x.byTime[i].compare(from) >= 0 })
	for _, c := range x.byTime[i:] {
		if err := look(c); err != nil {
			return err
		}
	}
	for _, c := range x.tail {
		if c.compare(from) >= 0 {
			if err := look(c); err != nil {
				return err
			}
		}
	}
	return nil
}

var _ kit.OutcomeIndex = (*Library)(nil)
