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
// The first check computes it (and waits); afterwards a stale value (the
// library changed, or fatigueTTL passed) keeps serving while one
// background computation replaces it, so checks never queue behind it.
type fatigueCache struct {
	mu        sync.Mutex
	gen       uint64
	at        time.Time
	f         *insight.Fatigue
	computing bool
}

// currentFatigue returns the cached fatigue, computing it the first time
// and refreshing it in the background when stale. A failure is logged and
// gives no warnings: warnings never block a check.
func (s *Server) currentFatigue(ctx context.Context) *insight.Fatigue {
	var gen uint64
	if lib, ok := s.opts.Library.(refresher); ok {
		gen = lib.Generation()
	}
	now := s.opts.Now()
	c := &s.fatigue
	c.mu.Lock()
	if c.f != nil {
		f := c.f
		if (c.gen != gen || now.Sub(c.at) >= fatigueTTL) && !c.computing {
			c.computing = true
			go func() {
				s.computeFatigue(context.WithoutCancel(ctx), gen, now)
			}()
		}
		c.mu.Unlock()
		return f
	}
	c.mu.Unlock()
	return s.computeFatigue(ctx, gen, now)
}

// computeFatigue computes the fatigue at now and caches it for gen.
func (s *Server) computeFatigue(ctx context.Context, gen uint64, now time.Time) *insight.Fatigue {
	f, err := insight.CurrentFatigue(ctx, s.opts.Engine, s.opts.Library, now, insight.Options{Check: check.Options{Threshold: s.opts.Threshold}})
	c := &s.fatigue
	c.mu.Lock()
	defer c.mu.Unlock()
	c.computing = false
	if err != nil {
		s.opts.Logger.Warn("fatigue not computed; checks go without fatigue warnings", "err", err)
		return c.f
	}
	c.f, c.gen, c.at = f, gen, now
	return f
}
