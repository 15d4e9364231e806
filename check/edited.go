package check

import (
	"sort"

	"elib/fingerprint/normalize"
	"elib/fingerprint/verify"
	"elib/fingerprint/winnow"
)

// Span kinds (SPEC §3: span kind).
const (
	// KindExact is an identical run of at least MinRun characters.
	KindExact = "exact"
	// KindEdited is an edited copy (洗稿): a stretch aligned in order with
	// a library stretch, at most one edit per four characters; only its
	// identical characters count.
	KindEdited = "edited"
)

// Edit is one change inside an edited span, in code points of both texts:
// what the writer wrote instead of what the library holds (one side is
// empty for a pure insertion or deletion).
type Edit struct {
	Start        int `json:"start"`
	End          int `json:"end"`
	LibraryStart int `json:"library_start"`
	LibraryEnd   int `json:"library_end"`
}

// mergeEdited combines the exact runs of one comparison with its edited
// stretches: the spans (exact runs inside a stretch become part of it)
// and the positions that count as copied (exact runs, and the identical
// blocks of each stretch).
func mergeEdited(query, lib normalize.Text, r verify.Result, edited []verify.Stretch) ([]Span, []bool) {
	covered := r.Covered
	var spans []Span
	inStretch := func(run verify.Run) bool {
		for _, st := range edited {
			if st.Start <= run.Start && run.End <= st.End {
				return true
			}
		}
		return false
	}
	for i, run := range r.Runs {
		if inStretch(run) {
			continue
		}
		sp := r.Spans[i]
		spans = append(spans, Span{Start: sp.Start, End: sp.End, LibraryStart: sp.LibStart, LibraryEnd: sp.LibEnd, Kind: KindExact})
	}
	for _, st := range edited {
		for _, b := range st.Blocks {
			for k := b.Start; k < b.End; k++ {
				covered[k] = true
			}
		}
		whole, gaps := st.Spans(query, lib)
		sp := Span{Start: whole.Start, End: whole.End, LibraryStart: whole.LibStart, LibraryEnd: whole.LibEnd, Kind: KindEdited}
		for _, g := range gaps {
			sp.Edits = append(sp.Edits, Edit{Start: g.Start, End: g.End, LibraryStart: g.LibStart, LibraryEnd: g.LibEnd})
		}
		spans = append(spans, sp)
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	return spans, covered
}

// dropStock drops, in place, the stretches that are stock phrasing
// (stockStretch); minHolders < 0 keeps every stretch.
func dropStock(edited []verify.Stretch, held []int, minHolders int) []verify.Stretch {
	if minHolders < 0 {
		return edited
	}
	kept := edited[:0]
	for _, st := range edited {
		if !stockStretch(st, held, minHolders) {
			kept = append(kept, st)
		}
	}
	return kept
}

// stockStretch reports whether an edited stretch is stock phrasing rather
// than an edited copy: its identical blocks hold anchors of the checked
// text that library elements hold too (held[p] > 0: the anchor starting at
// p, winnow.K runes), and every one of them is held by at least minHolders
// library elements — phrases
// other writers use too, in the same order (a sales formula), with nothing
// of the candidate's own. A stretch whose blocks hold no anchor (an edit
// every few characters leaves no K runes whole) is not judged stock.
func stockStretch(st verify.Stretch, held []int, minHolders int) bool {
	seen := false
	for _, b := range st.Blocks {
		for p := b.Start; p+winnow.K <= b.End && p < len(held); p++ {
			if held[p] <= 0 {
				continue // not an anchor, or one no element holds: no evidence
			}
			if held[p] < minHolders {
				return false
			}
			seen = true
		}
	}
	return seen
}
