package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
	opts := insight.Options{Check: check.Options{Threshold: *s.opts.Threshold}, Now: now, Zone: s.opts.Zone}
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
	key := statsKey{query: strings.Join([]string{v.Get("since"), v.Get("until"), opts.By,
		v.Get("fatigue_uses"), v.Get("fatigue_days"), v.Get("top")}, "\x00")}
	gen, err := s.opts.Library.Generation()
	if err != nil {
		s.writeErr(w, r, "stats", unavailable(err))
		return
	}
	key.gen = gen
	e, err := s.statsEntry(key, opts)
	if err != nil {
		s.writeErr(w, r, "stats", err)
		return
	}
	ctx, cancel := s.withDeadline(r)
	defer cancel()
	select {
	case <-e.done:
	case <-ctx.Done():
		if r.Context().Err() != nil {
			return // the client left; the computation goes on for the next one
		}
		writeBusy(w, r, codeBusy, "stats: still being computed after %s (a large library takes minutes; the result is cached); retry shortly", s.opts.CheckTimeout)
		return
	}
	if e.err != nil {
		s.writeErr(w, r, "stats", e.err)
		return
	}
	s.reply(w, r, http.StatusOK, e.val)
}

// Stats cache bounds.
const (
	// DefaultStatsTimeout bounds one /v1/stats computation.
	DefaultStatsTimeout = 5 * time.Minute
	// statsCacheTTL is how long a computed period serves while the library
	// does not change (relative periods such as since=30d move on).
	statsCacheTTL = 10 * time.Minute
	// maxStatsEntries is the most periods cached at once.
	maxStatsEntries = 32
	// maxStatsRunning is how many stats computations run at once; a
	// request for another period meanwhile (or within the pause after
	// one, see statsCache.notBefore) is answered 503.
	maxStatsRunning = 1
)

// errStatsBusy is a stats request for a new period while another is
// being computed.
var errStatsBusy = fmt.Errorf("%w: stats for another period are being computed", errBusy)

// statsKey names one cached /v1/stats result: the library generation and
// the request's period parameters as sent.
type statsKey struct {
	gen   uint64
	query string
}

// statsResult is one computation; done is closed when val or err is set.
type statsResult struct {
	done chan struct{}
	val  *api.Stats
	err  error
	at   time.Time
}

// statsCache holds /v1/stats results per library generation and period.
// The dashboard reads it: a period is computed once, in the background,
// under a heavy check slot and Options.StatsTimeout; requests meanwhile
// wait for it up to their deadline.
type statsCache struct {
	mu      sync.Mutex
	entries map[statsKey]*statsResult
	running int
	// notBefore is when the next computation may start: as long after
	// the last one ended as it took, so stats hold the heavy slot at most
	// half the time however many periods are asked for.
	notBefore time.Time
}

// statsEntry returns the cached or running computation of key, starting
// one when there is none (errStatsBusy when maxStatsRunning run already).
func (s *Server) statsEntry(key statsKey, opts insight.Options) (*statsResult, error) {
	c := &s.stats
	now := s.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[statsKey]*statsResult{}
	}
	if e, ok := c.entries[key]; ok {
		select {
		case <-e.done:
			if e.err == nil && now.Sub(e.at) < statsCacheTTL {
				return e, nil
			}
			delete(c.entries, key)
		default:
			return e, nil // running
		}
	}
	if c.running >= maxStatsRunning || now.Before(c.notBefore) {
		return nil, errStatsBusy
	}
	// Drop other generations and, past the bound, the oldest results.
	for k, e := range c.entries {
		select {
		case <-e.done:
			if k.gen != key.gen || e.err != nil {
				delete(c.entries, k)
			}
		default:
		}
	}
	for len(c.entries) >= maxStatsEntries {
		var oldest statsKey
		first := true
		for k, e := range c.entries {
			select {
			case <-e.done:
				if first || e.at.Before(c.entries[oldest].at) {
					oldest, first = k, false
				}
			default:
			}
		}
		if first {
			break
		}
		delete(c.entries, oldest)
	}
	e := &statsResult{done: make(chan struct{})}
	c.entries[key] = e
	c.running++
	go s.computeStats(e, opts)
	return e, nil
}

// computeStats computes one /v1/stats result under a heavy check slot
// and Options.StatsTimeout.
func (s *Server) computeStats(e *statsResult, opts insight.Options) {
	var started time.Time
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.StatsTimeout)
	defer cancel()
	val, err := func() (*api.Stats, error) {
		if err := s.acquireWait(ctx, true); err != nil {
			return nil, err
		}
		started = s.opts.Now()
		defer s.release(true)
		st, err := s.opts.Library.Stats()
		if err != nil {
			return nil, err
		}
		reuse, period, err := insight.Overview(ctx, s.opts.Engine, s.opts.Library, opts, true)
		if err != nil {
			return nil, err
		}
		out := api.NewStats(s.opts.LibraryDesc, st, reuse)
		out.Period = period
		return &out, nil
	}()
	if err != nil {
		s.opts.Logger.Warn("stats not computed", "err", err, "timeout", s.opts.StatsTimeout)
	}
	c := &s.stats
	c.mu.Lock()
	e.val, e.err, e.at = val, err, s.opts.Now()
	if !started.IsZero() {
		c.notBefore = e.at.Add(min(e.at.Sub(started), statsCacheTTL))
	}
	c.running--
	close(e.done)
	c.mu.Unlock()
}

// acquireWait takes a check slot like acquire, waiting as long as ctx
// allows (background work queues behind requests without a 503).
func (s *Server) acquireWait(ctx context.Context, heavy bool) error {
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	if heavy {
		select {
		case s.heavySlots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case s.checkSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		if heavy {
			<-s.heavySlots
		}
		return ctx.Err()
	}
}

// fatigueTTL is how long a computed fatigue serves checks while the
// library does not change.
const fatigueTTL = 10 * time.Minute

// fatigueMinAge is how long a computed fatigue serves checks although the
// library changed: fatigue counts uses over days, and a server taking
// imports would otherwise recompute it after every one.
const fatigueMinAge = 30 * time.Second

// fatigueCache holds the library's current fatigue for check warnings.
// A stale value (the library changed fatigueMinAge after it was computed,
// or fatigueTTL passed) keeps serving
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
// starting a background computation when it is missing or stale. When
// the library's generation cannot be read it returns the cached one: the
// check that asked reads the library next and fails on it.
func (s *Server) currentFatigue(ctx context.Context) *insight.Fatigue {
	c := &s.fatigue
	gen, err := s.opts.Library.Generation()
	if err != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.f
	}
	now := s.opts.Now()
	c.mu.Lock()
	age := now.Sub(c.at)
	stale := c.f == nil || (c.gen != gen && age >= fatigueMinAge) || age >= fatigueTTL
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
	f, err := insight.CurrentFatigue(context.Background(), s.opts.Engine, s.opts.Library, now, insight.Options{Check: check.Options{Threshold: *s.opts.Threshold}})
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
