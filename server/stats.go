package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"elib/api"
	"elib/check"
	"elib/insight"
)

// handleStats is GET /v1/stats?since=&until=&by=&fatigue_uses=&fatigue_days=&top=.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	now := s.opts.Now()
	opts := insight.Options{Check: check.Options{Threshold: s.opts.Threshold}}
	var err error
	if opts.Since, err = insight.ParseSince(v.Get("since"), now); err != nil {
		s.writeErr(w, r, "stats", badRequest("%v", err))
		return
	}
	if opts.Until, err = insight.ParseUntil(v.Get("until"), now); err != nil {
		s.writeErr(w, r, "stats", badRequest("%v", err))
		return
	}
	if opts.By = v.Get("by"); opts.By != "" && !slices.Contains(insight.Bys, opts.By) {
		s.writeErr(w, r, "stats", badRequest("by=%q: want one of %v", opts.By, insight.Bys))
		return
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"fatigue_uses", &opts.FatigueUses}, {"fatigue_days", &opts.FatigueDays}, {"top", &opts.Top}} {
		if x := v.Get(p.name); x != "" {
			n, err := strconv.Atoi(x)
			if err != nil || n < 1 || n > 10000 {
				s.writeErr(w, r, "stats", badRequest("%s=%q must be an integer between 1 and 10000", p.name, x))
				return
			}
			*p.dst = n
		}
	}
	st, err := s.opts.Library.Stats()
	if err != nil {
		s.writeErr(w, r, "stats", err)
		return
	}
	reuse, err := insight.LibraryReuse(r.Context(), s.opts.Engine, s.opts.Library, opts)
	if err != nil {
		s.writeErr(w, r, "stats", err)
		return
	}
	out := api.NewStats(s.opts.LibraryDesc, st, reuse)
	if out.Period, err = insight.Compute(r.Context(), s.opts.Engine, s.opts.Library, opts); err != nil {
		s.writeErr(w, r, "stats", err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// fatigueTTL is how long a computed fatigue serves checks while the
// library does not change.
const fatigueTTL = 10 * time.Minute

// fatigueCache holds the library's current fatigue for check warnings.
// A stale value (the library changed, or fatigueTTL passed) keeps serving
// while one background computation replaces it; the first checks wait for
// the first value at most fatigueWait, then go without warnings until it
// is there. Warnings never hold a check up for long.
type fatigueCache struct {
	mu        sync.Mutex
	gen       uint64
	at        time.Time
	f         *insight.Fatigue
	computing bool
	done      chan struct{} // closed when the running computation ends
	retryAt   time.Time     // after a failure, no new try before this
}

// fatigueWait bounds how long a check waits for the first fatigue.
const fatigueWait = 3 * time.Second

// fatigueRetry is the pause after a failed fatigue computation.
const fatigueRetry = time.Minute

// currentFatigue returns the cached fatigue (nil while there is none),
// starting a background computation when it is missing or stale.
func (s *Server) currentFatigue(ctx context.Context) *insight.Fatigue {
	var gen uint64
	if lib, ok := s.opts.Library.(refresher); ok {
		gen = lib.Generation()
	}
	now := s.opts.Now()
	c := &s.fatigue
	c.mu.Lock()
	stale := c.f == nil || c.gen != gen || now.Sub(c.at) >= fatigueTTL
	if stale && !c.computing && !now.Before(c.retryAt) {
		c.computing = true
		c.done = make(chan struct{})
		go s.computeFatigue(gen, now, c.done)
	}
	f, done := c.f, c.done
	c.mu.Unlock()
	if f != nil || done == nil {
		return f
	}
	select {
	case <-done:
	case <-time.After(fatigueWait):
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.f
}

// computeFatigue computes the fatigue at now and caches it for gen.
func (s *Server) computeFatigue(gen uint64, now time.Time, done chan struct{}) {
	defer close(done)
	f, err := insight.CurrentFatigue(context.Background(), s.opts.Engine, s.opts.Library, now, insight.Options{Check: check.Options{Threshold: s.opts.Threshold}})
	c := &s.fatigue
	c.mu.Lock()
	defer c.mu.Unlock()
	c.computing = false
	if err != nil {
		c.retryAt = s.opts.Now().Add(fatigueRetry)
		s.opts.Logger.Warn("fatigue not computed; checks go without fatigue warnings", "err", err, "retry_in", fatigueRetry)
		return
	}
	c.f, c.gen, c.at = f, gen, now
}
