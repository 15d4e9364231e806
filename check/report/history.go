package report

import (
	"time"

	"elib/check"
	"elib/history"
)

// HistoryEntries turns the report's results into check-history entries
// (one per checked asset) made by who via "cli" or "serve"; the top
// source is the asset that contributed the most copied characters.
func (r *Report) HistoryEntries(who, via string) []history.Entry {
	at := r.Checked
	if at.IsZero() {
		at = time.Now()
	}
	out := make([]history.Entry, 0, len(r.Results))
	for _, res := range r.Results {
		e := history.Entry{Time: at.UTC(), Who: who, Via: via, File: res.File, AssetID: res.AssetID, Title: res.Title,
			Verdict: res.Verdict, Duplication: res.Duplication, Level: string(res.Level), Pack: res.Pack,
			LicensedDuplication: res.LicensedDuplication, SpanKind: SpanKind(res)}
		if top := topSources(res, 1); len(top) == 1 {
			src := r.source(top[0].AssetID)
			e.TopSource, e.TopSourceTitle = src.AssetID, src.Title
			if res.Countable > 0 {
				e.TopShare = float64(top[0].Chars) / float64(res.Countable)
			}
		}
		out = append(out, e)
	}
	return out
}

// SpanKind sums up how a result's text was copied: check.KindEdited when
// any unlicensed span is an edited copy (洗稿), check.KindExact when the
// copying is word for word, "" when nothing unlicensed matched.
func SpanKind(res *check.Result) string {
	kind := ""
	for _, e := range res.Elements {
		for _, m := range e.Matches {
			if m.Licensed {
				continue
			}
			for _, s := range m.Spans {
				if s.Licensed {
					continue
				}
				if s.Kind == check.KindEdited {
					return check.KindEdited
				}
				kind = check.KindExact
			}
		}
	}
	return kind
}
