package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"elib/element"
	"elib/fulltext"
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
		return badRequest("sort=%q: want one of %v", query.Sort, fulltext.Sorts)
	}
	return nil
}

// handleSearch is GET /v1/search?q=&type=&limit=&offset=&where=&bpm=&since=&until=&sort=.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	// r.URL.Query drops what it cannot parse, and every parameter past
	// the 10,000th: a search must never quietly run with fewer filters.
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "query string: %v", err)
		return
	}
	if n := len(q["where"]); n > MaxSearchFilters {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "%d where parameters: at most %d filters per search", n, MaxSearchFilters)
		return
	}
	query := fulltext.Query{Text: q.Get("q"), Limit: DefaultSearchLimit, Facets: true}
	if n := utf8.RuneCountInString(query.Text); n > MaxQueryChars {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "query of %d characters is over the limit of %d: search for a few words", n, MaxQueryChars)
		return
	}
	if t := strings.TrimSpace(q.Get("type")); t != "" {
		typ, ok := element.ParseType(t)
		if !ok {
			writeError(w, r, http.StatusBadRequest, codeBadRequest, "unknown element type %q (hook, conflict, testimonial, conversion, story, other)", t)
			return
		}
		query.Type = string(typ)
	}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &query.Limit, MaxSearchLimit}, {"offset", &query.Offset, 1 << 20}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > p.max {
			writeError(w, r, http.StatusBadRequest, codeBadRequest, "%s=%q must be an integer between 0 and %d", p.name, v, p.max)
			return
		}
		*p.dst = n
	}
	if query.Limit == 0 {
		query.Limit = DefaultSearchLimit
	}
	if err := searchFilters(q, &query, s.opts.Now()); err != nil {
		s.writeErr(w, r, "search", err)
		return
	}
	// A search is CPU work like a check: same slots, same deadline.
	ctx, cancel := s.withDeadline(r)
	defer cancel()
	heavy := utf8.RuneCountInString(query.Text) > heavyQueryChars
	if err := s.acquire(ctx, heavy); err != nil {
		s.writeErr(w, r, "search", err)
		return
	}
	defer s.release(heavy)
	res, err := s.opts.Library.Search(ctx, query)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		s.writeErr(w, r, "search", err)
		return
	}
	if err := res.AddAttributes(s.opts.Library.Asset); err != nil {
		// The hits stand without them; a library read failed.
		s.opts.Logger.Warn("search: element attributes", "err", err)
	}
	out := fulltext.NewResponse(query.Text, res)
	out.Filters = query.Filters()
	s.reply(w, r, http.StatusOK, out)
}
