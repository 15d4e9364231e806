package server

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"elib/index/fulltext"
	"elib/insight"
)

// searchFilters reads the filter parameters of GET /v1/search into query:
// where=KEY=VALUE (repeatable), bpm=LO-HI, since, until (30d or a date),
// sort=score|plays|created. KEY:VALUE words of q become filters too.
func searchFilters(v url.Values, query *fulltext.Query, now time.Time) error {
	for _, w := range v["where"] {
		f, err := fulltext.ParseFilter(w)
		if err != nil {
			return badRequest("where: %v", err)
		}
		query.Where = append(query.Where, f)
	}
	*query = query.Normalized()
	if b := v.Get("bpm"); b != "" {
		r, err := fulltext.ParseRange(b)
		if err != nil {
			return badRequest("bpm: %v", err)
		}
		query.BPM = &r
	}
	var err error
	if query.Since, err = insight.ParseSince(v.Get("since"), now); err != nil {
		return badRequest("%v", err)
	}
	if query.Until, err = insight.ParseUntil(v.Get("until"), now); err != nil {
		return badRequest("%v", err)
	}
	query.Sort = v.Get("sort")
	if query.Sort == "" {
		query.Sort = fulltext.SortScore
	}
	if !slices.Contains(fulltext.Sorts, query.Sort) {
		return badRequest("%s", fmt.Sprintf("sort=%q: want one of %v", query.Sort, fulltext.Sorts))
	}
	return nil
}
