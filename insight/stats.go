package insight

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"elib/check"
	"elib/element"
	"elib/fingerprint"
	"elib/library/kit"
)

// Groupings of Options.By.
const (
	ByPlatform = "platform"
	ByCampaign = "campaign"
	ByAccount  = "account"
)

// Bys lists the accepted Options.By values.
var Bys = []string{ByPlatform, ByCampaign, ByAccount}

// Options tune Compute. Zero fields take the defaults.
type Options struct {
	// Since and Until bound the period by published time (inclusive; zero:
	// unbounded).
	Since, Until time.Time
	// By groups the period's figures by a metadata key (ByPlatform,
	// ByCampaign, ByAccount); empty: no groups.
	By string
	// FatigueUses (K) and FatigueDays (D): a library element is fatigued
	// when at least K assets reused it within D days. The default values
	// are 3 and 14.
	FatigueUses, FatigueDays int
	// Top is how many most reused elements are listed. The default value
	// is 10.
	Top int
	// Workers check period assets in parallel. The default value is
	// GOMAXPROCS.
	Workers int
	// MaxAssets caps the period assets checked, newest kept (0: all).
	MaxAssets int
	// Zone is the time zone the series' weeks and months begin in (a
	// script published at 2026-12-01T01:00+08:00 is December's in
	// Asia/Shanghai, November's in UTC). The default value is UTC.
	Zone *time.Location
	// Now ends the series when the period has no Until: the series runs
	// through Now's week or month, empty ones included. The default value
	// is time.Now().
	Now time.Time
	// Check configures the checker (threshold, reuse containment); its
	// MaxMatches is raised to 20 so a reuse can be traced to the earliest
	// holder of the material.
	Check check.Options
	// Recompute checks every period asset again instead of reading stored
	// outcomes (and stores nothing). The default value is false.
	Recompute bool
	// LoadEngine, when set, lets Compute, LibraryReuse and CurrentFatigue
	// take a nil engine: it is called the first time an asset must be
	// checked, so stats over fresh stored outcomes never load the
	// tokenizer. EngineOptions are then the options the engine will have
	// (they are part of the outcomes' basis). The default value is nil.
	LoadEngine    func() (*fingerprint.Engine, error)
	EngineOptions fingerprint.Options

	basis    string        // the outcomes' basis (set by Compute)
	outcomes *outcomeTally // counts stored and recomputed outcomes
}

func (o *Options) ensureDefaults() {
	if o.FatigueUses <= 0 {
		o.FatigueUses = 3
	}
	if o.FatigueDays <= 0 {
		o.FatigueDays = 14
	}
	if o.Top <= 0 {
		o.Top = 10
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Check.MaxMatches < 20 {
		o.Check.MaxMatches = 20
	}
}

// Stats are the figures of one period. JSON field names are part of the
// product (`elib stats --format json`, GET /v1/stats).
type Stats struct {
	// Since and Until are the period's bounds (RFC 3339; empty: unbounded).
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
	Figures
	// Levels counts the period's assets per platform level (L1…L5).
	Levels map[check.Level]int `json:"levels"`
	// Series are the figures per week (periods up to 120 days) or month,
	// oldest first: the reuse rate over time. The series is continuous:
	// from the period's first week or month (Since, else the oldest
	// asset's) through Until's (else Options.Now's), a bucket without
	// assets kept with zero figures.
	Series []Bucket `json:"series"`
	// By and Groups are the figures per platform, campaign or account.
	By     string  `json:"by,omitempty"`
	Groups []Group `json:"groups,omitempty"`
	// MostReused lists the library elements the period's assets reused
	// most, with how many assets reused each.
	MostReused []Reused `json:"most_reused"`
	// Fatigued lists the elements reused by at least FatigueUses assets
	// within FatigueDays days inside the period.
	Fatigued    []Fatigued `json:"fatigued"`
	FatigueUses int        `json:"fatigue_uses"`
	FatigueDays int        `json:"fatigue_days"`
	// Checks is the number of assets checked and TookMs the time it took;
	// Skipped counts the oldest period assets left out by
	// Options.MaxAssets.
	Checks  int     `json:"checks"`
	Skipped int     `json:"skipped,omitempty"`
	TookMs  float64 `json:"took_ms"`
	// Outcomes says how many period assets were read from stored check
	// outcomes and how many were stale or missing and checked now (nil:
	// the library keeps no outcomes, or Options.Recompute).
	Outcomes *OutcomeCounts `json:"outcomes,omitempty"`
}

// Figures are the reuse and homogeneity figures of a set of assets.
type Figures struct {
	// Assets and Elements count the assets published in the period and
	// their elements.
	Assets   int `json:"assets"`
	Elements int `json:"elements"`
	// Reused counts elements whose best match in earlier library material
	// has containment >= 0.8 (check's reuse_rate rule); ReuseRate is
	// Reused / Elements.
	Reused    int     `json:"reused"`
	ReuseRate float64 `json:"reuse_rate"`
	// Homogeneous counts assets at platform level L3 or above;
	// Homogeneity is Homogeneous / Assets, the share platforms throttle.
	Homogeneous int     `json:"homogeneous"`
	Homogeneity float64 `json:"homogeneity"`
}

func (f *Figures) add(r *assetResult) {
	f.Assets++
	f.Elements += r.elements
	f.Reused += r.reused
	if r.level.Throttled() {
		f.Homogeneous++
	}
}

func (f *Figures) finish() {
	f.ReuseRate = ratio(f.Reused, f.Elements)
	f.Homogeneity = ratio(f.Homogeneous, f.Assets)
}

// Bucket is one week or month of the series.
type Bucket struct {
	// Start is the bucket's first day (2026-11-02).
	Start string `json:"start"`
	Figures
}

// Group is the figures of one platform, campaign or account.
type Group struct {
	Key string `json:"key"`
	Figures
}

// Reused is a library element and the period assets that reused it.
type Reused struct {
	ElementID string       `json:"element_id"`
	AssetID   string       `json:"asset_id"`
	Type      element.Type `json:"type"`
	Text      string       `json:"text"`
	// Uses counts the period's assets reusing it; LastUsed is the newest
	// one's published time.
	Uses     int    `json:"uses"`
	LastUsed string `json:"last_used"`
}

// Fatigued is a reused element whose uses crowd into a short window.
type Fatigued struct {
	Reused
	// WindowUses are the uses inside the busiest window of FatigueDays
	// days (at least FatigueUses of them), oldest first.
	WindowUses []check.Use `json:"window_uses"`
	// Members are the element ids of the material: the element and the
	// elements that reused it (a check matching any of them reuses it).
	Members []string `json:"members"`
}

// assetResult is one period asset's check.
type assetResult struct {
	id        string
	published time.Time
	group     string
	elements  int
	reused    int
	level     check.Level
	uses      []kit.OutcomeUse // the outcome's, shared
}

// Compute sums up reuse, levels and fatigue over the assets published in
// the period, each judged against the library as it stood when it was
// published (itself and later assets hidden). The judgement is the
// asset's stored outcome when the library keeps one (kit.OutcomeStore)
// and it is fresh; otherwise the asset is checked now, and the outcome
// is stored when the library is writable. Options.Recompute checks every
// period asset.
func Compute(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, opts Options) (*Stats, error) {
	opts.ensureDefaults()
	start := time.Now()
	if store, ok := lib.(kit.OutcomeStore); ok && !opts.Recompute {
		return computeStored(ctx, engine, lib, store, opts, start)
	}
	published, period, err := periodAssets(lib, opts)
	if err != nil {
		return nil, err
	}
	return compute(ctx, engine, lib, opts, newTimeline(published, len(published)), period, start)
}

// timeline is the live assets' published times.
type timeline struct {
	total int       // the assets there are
	refs  *refTimes // the times by element ref, as looked up

	// others are the times not taken from a stored outcome, by asset id
	// (all of them unless the timeline is built by timelineOf).
	others map[string]time.Time

	atOnce sync.Once
	fill   func() map[string]time.Time // builds at when it is first needed
	at     map[string]time.Time        // by asset id; zero: unknown (times)

	sortOnce sync.Once
	sorted   []time.Time // the known times, oldest first (sortTimes)

	// ordered, when lookup is set, are the known times as the library
	// keeps them in order (kit.PublishedOrder: entries, oldest first),
	// and lookup reads one asset's time: a timeline of the library as it
	// is (orderedTimeline) reads only the times its views ask for.
	ordered []int64
	lookup  func(id string) time.Time
}

// orderedTimeline is the timeline of lib's live assets from the order it
// keeps their times in (ok false: lib keeps none, or cannot tell every
// time). Times by id are read as the as-of views ask for them.
func orderedTimeline(lib kit.Library) (tl *timeline, ok bool, err error) {
	po, isOrder := lib.(kit.PublishedOrder)
	if !isOrder {
		return nil, false, nil
	}
	entries, total, ok, err := po.PublishedOrder()
	if err != nil || !ok {
		return nil, false, err
	}
	var mu sync.Mutex
	read := map[string]time.Time{}
	lookup := func(id string) time.Time {
		mu.Lock()
		t, seen := read[id]
		mu.Unlock()
		if seen {
			return t
		}
		times, _, err := po.PublishedTimes([]string{id})
		if err != nil {
			// As a timeline that does not know the asset: visible. A
			// failed read of the library fails the check anyway.
			return time.Time{}
		}
		mu.Lock()
		read[id] = times[0]
		mu.Unlock()
		return times[0]
	}
	return &timeline{total: total, refs: newRefTimes(), ordered: entries, lookup: lookup}, true, nil
}

// newTimeline is the timeline of the published times in at, of a library
// of total assets (those missing from at are older than every one in it).
func newTimeline(at map[string]time.Time, total int) *timeline {
	return &timeline{at: at, others: at, total: max(total, len(at)), refs: newRefTimes()}
}

// times is every live asset's time by id, built once, when an as-of view
// first needs it: stats over stored outcomes check nothing and never do.
func (tl *timeline) times() map[string]time.Time {
	tl.atOnce.Do(func() {
		if tl.fill != nil {
			tl.at, tl.fill = tl.fill(), nil
		}
	})
	return tl.at
}

// sortTimes sorts the known times once, when an as-of view first needs
// them.
func (tl *timeline) sortTimes() {
	tl.sortOnce.Do(func() {
		for _, t := range tl.times() {
			if !t.IsZero() {
				tl.sorted = append(tl.sorted, t)
			}
		}
		slices.SortFunc(tl.sorted, time.Time.Compare)
	})
}

// get is an asset's published time (zero: unknown, always visible).
func (tl *timeline) get(id string) time.Time {
	if tl.lookup != nil {
		return tl.lookup(id)
	}
	return tl.times()[id]
}

// hidesNothing reports whether a view as of t shows every asset: none
// is published after t.
func (tl *timeline) hidesNothing(t time.Time) bool {
	return tl.later(t) == 0
}

// upTo counts the assets visible at t: published by t or at an unknown time.
func (tl *timeline) upTo(t time.Time) int {
	return tl.total - tl.later(t)
}

// later counts the assets published after t.
func (tl *timeline) later(t time.Time) int {
	if tl.lookup != nil {
		return len(tl.ordered) - sort.Search(len(tl.ordered), func(i int) bool { return time.Unix(0, tl.ordered[i]).After(t) })
	}
	tl.sortTimes()
	return len(tl.sorted) - sort.Search(len(tl.sorted), func(i int) bool { return tl.sorted[i].After(t) })
}

// compute checks the period assets that have no outcome yet and sums up.
// Assets are read as they are checked (a period asset without an asset
// is read by id, and leaves the period if it was removed meanwhile: the
// next older one comes in); with a tally, the outcomes are stored as
// they come (outcomeSaver), and a cancelled run keeps those it finished.
func compute(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, opts Options, published *timeline, period []periodAsset, start time.Time) (*Stats, error) {
	var checkers *asOfCheckers
	var truncated int
	for {
		truncated = 0
		if opts.MaxAssets > 0 && len(period) > opts.MaxAssets {
			truncated = len(period) - opts.MaxAssets
		}
		keep := period[truncated:] // the newest
		var todo []int
		for i := range keep {
			if keep[i].outcome == nil && keep[i].result == nil {
				todo = append(todo, i)
			}
		}
		if len(todo) == 0 {
			period = keep
			break
		}
		if checkers == nil {
			var err error
			if engine, err = engineFor(engine, opts); err != nil {
				return nil, msg.Errorf("stats: %w", err)
			}
			if err := loadIndex(lib); err != nil {
				return nil, msg.Errorf("stats: %w", err)
			}
			checkers = newAsOfCheckers(engine, lib, published, opts)
		}
		errs := make([]error, len(keep))
		gone := make([]bool, len(keep))
		// The assets not handed out once ctx is done are not checked.
		forEach(ctx, opts.Workers, len(todo), func(k int) {
			pa := &keep[todo[k]]
			if pa.asset == nil {
				a, err := lib.Asset(pa.assetID)
				if errors.Is(err, kit.ErrNotFound) {
					gone[todo[k]] = true
					return
				}
				if err != nil {
					errs[todo[k]] = err
					return
				}
				// The asset's own time: the timeline's instant, in the
				// zone it was written in.
				pa.asset = a
				pa.published, _ = a.Published()
			}
			o, err := checkers.outcome(ctx, *pa)
			if err != nil {
				errs[todo[k]] = err
				return
			}
			// Neither the asset nor the outcome is kept: the result is
			// what the stats read (a long first run holds a few figures
			// and the uses per asset, not its outcome).
			pa.assetID, pa.asset, pa.computed = pa.id(), nil, true
			r := resultOf(pa.assetID, o, opts.By)
			pa.result = &r
			if opts.outcomes != nil {
				opts.outcomes.add(pa.assetID, o)
			}
		})
		if opts.outcomes != nil {
			opts.outcomes.flush() // what was finished is kept, even cancelled
		}
		if err := ctx.Err(); err != nil {
			return nil, msg.Errorf("stats: %w", err) // one error, not one per asset
		}
		if err := errors.Join(errs...); err != nil {
			return nil, msg.Errorf("stats: %w", err)
		}
		if !slices.Contains(gone, true) {
			period = keep
			break
		}
		ids := map[string]bool{}
		for i, g := range gone {
			if g {
				ids[keep[i].assetID] = true
			}
		}
		period = slices.DeleteFunc(period, func(pa periodAsset) bool { return ids[pa.id()] })
	}
	results := make([]*assetResult, len(period))
	stored := 0
	for _, pa := range period {
		if pa.result == nil {
			stored++
		}
	}
	slab := make([]assetResult, 0, stored) // one allocation for the stored ones
	for i, pa := range period {
		if results[i] = pa.result; results[i] == nil {
			slab = append(slab, resultOf(pa.id(), pa.outcome, opts.By))
			results[i] = &slab[len(slab)-1]
		}
	}
	st := &Stats{Levels: map[check.Level]int{}, By: opts.By, FatigueUses: opts.FatigueUses, FatigueDays: opts.FatigueDays,
		Series: []Bucket{}, MostReused: []Reused{}, Fatigued: []Fatigued{}, Checks: len(period), Skipped: truncated}
	if opts.outcomes != nil {
		st.Outcomes = opts.outcomes.count(period)
	}
	if !opts.Since.IsZero() {
		st.Since = opts.Since.UTC().Format(time.RFC3339)
	}
	if !opts.Until.IsZero() {
		st.Until = opts.Until.UTC().Format(time.RFC3339)
	}
	for _, l := range check.Levels {
		st.Levels[l] = 0
	}
	groups := map[string]*Group{}
	buckets := map[string]*Bucket{}
	day := newDayBucket(opts.Zone) // results are oldest first: most share the last one's day
	monthly := seriesMonthly(opts, period)
	for _, r := range results {
		st.Figures.add(r)
		st.Levels[r.level]++
		if opts.By != "" {
			g := groups[r.group]
			if g == nil {
				g = &Group{Key: r.group}
				groups[r.group] = g
			}
			g.add(r)
		}
		b := day.bucket(r.published)
		if b == nil {
			k := bucketStart(r.published, monthly, opts.Zone)
			if b = buckets[k]; b == nil {
				b = &Bucket{Start: k}
				buckets[k] = b
			}
			day.set(r.published, b)
		}
		b.add(r)
	}
	st.Figures.finish()
	st.Series = continuousSeries(buckets, seriesBounds(opts, period), monthly, opts.Zone)
	for _, g := range groups {
		g.finish()
		st.Groups = append(st.Groups, *g)
	}
	sort.Slice(st.Groups, func(i, j int) bool {
		if st.Groups[i].Assets != st.Groups[j].Assets {
			return st.Groups[i].Assets > st.Groups[j].Assets
		}
		return st.Groups[i].Key < st.Groups[j].Key
	})
	st.MostReused, st.Fatigued = reuseTables(results, opts)
	st.TookMs = float64(time.Since(start).Microseconds()) / 1000
	return st, nil
}

// periodAsset is an asset published in the period: its outcome, else
// the asset to check or its id (the asset is read when it is checked).
type periodAsset struct {
	asset     *element.Asset
	assetID   string
	published time.Time
	outcome   *kit.Outcome
	result    *assetResult        // the outcome computed now, as the stats read it
	computed  bool                // the outcome was computed now, not read from the store
	fps       check.Fingerprinted // the import's fingerprints of asset, if any
}

func (pa periodAsset) id() string {
	if pa.asset != nil {
		return pa.asset.ID
	}
	return pa.assetID
}

// periodAssets reads every asset's published time and returns those in
// the period, oldest first.
func periodAssets(lib kit.Library, opts Options) (map[string]time.Time, []periodAsset, error) {
	published := map[string]time.Time{}
	var period []periodAsset
	ids, err := lib.AssetIDs()
	if err != nil {
		return nil, nil, msg.Errorf("stats: %w", err)
	}
	for _, id := range ids {
		a, err := lib.Asset(id)
		if errors.Is(err, kit.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, nil, msg.Errorf("stats: %w", err)
		}
		p, _ := a.Published()
		published[id] = p
		if p.IsZero() || !opts.Since.IsZero() && p.Before(opts.Since) || !opts.Until.IsZero() && p.After(opts.Until) {
			continue
		}
		period = append(period, periodAsset{asset: a, published: p})
	}
	sort.Slice(period, func(i, j int) bool {
		if !period[i].published.Equal(period[j].published) {
			return period[i].published.Before(period[j].published)
		}
		return period[i].id() < period[j].id()
	})
	return published, period, nil
}

// asOfCheckers check assets against the library as of their publication,
// each worker with a checker of its own over an as-of view moved from
// asset to asset: a checker and its caches are built once per worker,
// not once per outcome. A checker keeps nothing of its source from one
// check to the next but the allowlist's phrases (the view passes the
// allowlist on unchanged) and library texts normalised, so an outcome is
// the one a fresh checker gives (TestReusedCheckersEqualFresh). Safe for
// concurrent use.
type asOfCheckers struct {
	engine *fingerprint.Engine
	lib    kit.Library
	tl     *timeline
	opts   Options
	mu     sync.Mutex
	free   []*asOfChecker
}

// asOfChecker is one worker's checker and the view it checks against.
type asOfChecker struct {
	src   *asOf
	sess  *check.Session
	reuse float64 // the reuse containment
}

func newAsOfCheckers(engine *fingerprint.Engine, lib kit.Library, tl *timeline, opts Options) *asOfCheckers {
	return &asOfCheckers{engine: engine, lib: lib, tl: tl, opts: opts}
}

// get returns a free checker, else a new one.
func (p *asOfCheckers) get() (*asOfChecker, error) {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	src := &asOf{Library: p.lib, published: p.tl.get, refs: p.tl.refs}
	c, err := check.New(p.engine, p.opts.Check, src)
	if err != nil {
		return nil, err
	}
	o := c.Options()
	src.rule = o.Tuning.Boilerplate
	// Levels and reuse do not depend on the threshold; the session brings
	// the rule for failed library reads.
	sess, err := c.Session(check.SessionOptions{Threshold: o.Threshold, FootageThreshold: o.FootageThreshold})
	if err != nil {
		return nil, err
	}
	return &asOfChecker{src: src, sess: sess, reuse: o.Tuning.ReuseContainment}, nil
}

func (p *asOfCheckers) put(c *asOfChecker) {
	p.mu.Lock()
	p.free = append(p.free, c)
	p.mu.Unlock()
}

// outcome checks one period asset against the library as of its
// publication and keeps what the stats read.
func (p *asOfCheckers) outcome(ctx context.Context, pa periodAsset) (*kit.Outcome, error) {
	c, err := p.get()
	if err != nil {
		return nil, err
	}
	defer p.put(c)
	src := c.src
	src.moveTo(p.tl, pa.published)
	// A stored asset is itself by id; its File may be shared with the
	// other assets of a JSONL or table export, which must stay visible.
	a := *pa.asset
	a.File = ""
	res, err := c.sess.CheckFingerprinted(ctx, a.ID, &a, pa.fps)
	if err != nil {
		return nil, msg.Errorf("stats: check %s: %w", pa.asset.ID, err)
	}
	out := &kit.Outcome{Version: kit.OutcomeVersion, Basis: p.opts.basis, Published: pa.published,
		Groups: map[string]string{}, Elements: len(res.Elements), Level: string(res.Level), Assets: src.assets}
	for h, common := range src.decisions() {
		if common {
			out.Common = append(out.Common, h)
		} else {
			out.Plain = append(out.Plain, h)
		}
	}
	slices.Sort(out.Common)
	slices.Sort(out.Plain)
	for _, by := range Bys {
		out.Groups[by] = groupKey(pa.asset, by)
	}
	sources := map[string]bool{}
	for i, er := range res.Elements {
		for _, m := range er.Matches {
			sources[m.AssetID] = true
		}
		origin, ok := earliest(er.Matches, c.reuse, p.tl.get)
		if !ok {
			continue
		}
		out.Reused++
		out.Uses = append(out.Uses, kit.OutcomeUse{Element: element.ElementID(pa.asset.ID, i+1),
			OriginElement: origin.ElementID, OriginAsset: origin.AssetID, OriginType: origin.Type, OriginText: origin.Text})
	}
	for id := range sources {
		out.Sources = append(out.Sources, id)
	}
	sort.Strings(out.Sources)
	return out, nil
}

// resultOf is the stats' view of one asset's outcome.
func resultOf(id string, o *kit.Outcome, by string) assetResult {
	r := assetResult{id: id, published: o.Published, elements: o.Elements, reused: o.Reused, level: check.Level(o.Level), uses: o.Uses}
	if by != "" {
		r.group = o.Groups[by]
	}
	return r
}

// earliest returns the match an element reuses: among matches with
// containment >= reuse (the element counts as reused when there is one),
// the one published first — the origin of the material, not a later copy.
func earliest(ms []check.Match, reuse float64, published func(string) time.Time) (check.Match, bool) {
	var best check.Match
	found := false
	for _, m := range ms {
		if m.Containment < reuse {
			continue
		}
		if !found || published(m.AssetID).Before(published(best.AssetID)) ||
			published(m.AssetID).Equal(published(best.AssetID)) && m.ElementID < best.ElementID {
			best, found = m, true
		}
	}
	return best, found
}

// metaGroupKeys are the metadata keys of each grouping.
var metaGroupKeys = map[string][]string{
	ByPlatform: {"platform", "平台", "投放平台"},
	ByCampaign: {"campaign", "活动", "营销活动", "投放活动"},
	ByAccount:  {"account", "账号", "达人", "creator", "author", "作者"},
}

// groupKey is the asset's platform, campaign or account ("" unknown).
func groupKey(a *element.Asset, by string) string {
	for _, k := range metaGroupKeys[by] {
		if v, ok := a.Meta[k]; ok && v != nil {
			if s := strings.TrimSpace(fmt.Sprint(v)); s != "" {
				return s
			}
		}
	}
	if by == "" {
		return ""
	}
	return "(none)"
}

// seriesMonthly picks months for series longer than 120 days, else weeks.
func seriesMonthly(opts Options, period []periodAsset) bool {
	b := seriesBounds(opts, period)
	return b[1].Sub(b[0]) > 120*24*time.Hour
}

// seriesBounds are the first and last instants the series covers: Since
// (else the oldest period asset) through Until (else Now, or the newest
// asset when it is later); zero when there is nothing to show.
func seriesBounds(opts Options, period []periodAsset) [2]time.Time {
	lo, hi := opts.Since, opts.Until
	if lo.IsZero() && len(period) > 0 {
		lo = period[0].published
	}
	if hi.IsZero() {
		hi = opts.Now
		if hi.IsZero() {
			hi = time.Now()
		}
		if len(period) > 0 && period[len(period)-1].published.After(hi) {
			hi = period[len(period)-1].published
		}
	}
	if lo.IsZero() || hi.Before(lo) {
		return [2]time.Time{}
	}
	return [2]time.Time{lo, hi}
}

// maxSeriesBuckets bounds the series (a library reaching back decades
// shows its last 600 months).
const maxSeriesBuckets = 600

// continuousSeries lists every week or month from bounds[0]'s through
// bounds[1]'s, oldest first, with the buckets' figures (zero where no
// asset was published).
func continuousSeries(buckets map[string]*Bucket, bounds [2]time.Time, monthly bool, zone *time.Location) []Bucket {
	out := []Bucket{}
	if bounds[0].IsZero() {
		return out
	}
	first, _ := time.Parse(time.DateOnly, bucketStart(bounds[0], monthly, zone))
	last := bucketStart(bounds[1], monthly, zone)
	for d := first; ; {
		k := d.Format(time.DateOnly)
		b := buckets[k]
		if b == nil {
			b = &Bucket{Start: k}
		}
		b.finish()
		out = append(out, *b)
		if k >= last {
			break
		}
		if monthly {
			d = d.AddDate(0, 1, 0)
		} else {
			d = d.AddDate(0, 0, 7)
		}
	}
	if len(out) > maxSeriesBuckets {
		out = out[len(out)-maxSeriesBuckets:]
	}
	return out
}

// dayBucket remembers the bucket of one day of the zone: every instant of
// a day is in the same week and month.
type dayBucket struct {
	zone *time.Location
	y    int
	yd   int // the day of the year; 0: none remembered
	b    *Bucket
}

func newDayBucket(zone *time.Location) *dayBucket {
	if zone == nil {
		zone = time.UTC
	}
	return &dayBucket{zone: zone}
}

// bucket is t's bucket if t is in the remembered day, else nil.
func (d *dayBucket) bucket(t time.Time) *Bucket {
	t = t.In(d.zone)
	if d.yd != 0 && t.YearDay() == d.yd && t.Year() == d.y {
		return d.b
	}
	return nil
}

// set remembers b as the bucket of t's day.
func (d *dayBucket) set(t time.Time, b *Bucket) {
	t = t.In(d.zone)
	d.y, d.yd, d.b = t.Year(), t.YearDay(), b
}

// bucketStart is the first day of t's month or ISO week (Monday) in zone
// (nil: UTC).
func bucketStart(t time.Time, monthly bool, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	t = t.In(zone)
	if monthly {
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -wd)
	return d.Format(time.DateOnly)
}

// reuseTables builds the most reused and fatigued elements from the uses.
func reuseTables(results []*assetResult, opts Options) ([]Reused, []Fatigued) {
	type entry struct {
		origin  *kit.OutcomeUse // the first use's origin fields
		uses    []check.Use
		times   []time.Time
		members []string
		last    *assetResult // the asset counted last
	}
	byOrigin := map[string]*entry{}
	for _, r := range results {
		for k := range r.uses {
			u := &r.uses[k]
			e := byOrigin[u.OriginElement]
			if e == nil {
				e = &entry{origin: u, members: []string{u.OriginElement}}
				byOrigin[u.OriginElement] = e
			}
			e.members = append(e.members, u.Element)
			// An asset reusing it twice is one use (an asset's uses
			// come together).
			if e.last == r {
				continue
			}
			e.last = r
			e.uses = append(e.uses, check.Use{AssetID: r.id, Published: r.published.UTC().Format(time.RFC3339)})
			e.times = append(e.times, r.published)
		}
	}
	var most []Reused
	var fat []Fatigued
	window := time.Duration(opts.FatigueDays) * 24 * time.Hour
	for _, e := range byOrigin {
		// results are oldest first, so uses and times are too.
		ru := Reused{ElementID: e.origin.OriginElement, AssetID: e.origin.OriginAsset, Type: e.origin.OriginType, Text: e.origin.OriginText,
			Uses: len(e.uses), LastUsed: e.uses[len(e.uses)-1].Published}
		most = append(most, ru)
		lo, hi, n := busiestWindow(e.times, window)
		if n >= opts.FatigueUses {
			fat = append(fat, Fatigued{Reused: ru, WindowUses: append([]check.Use(nil), e.uses[lo:hi]...), Members: e.members})
		}
	}
	sort.Slice(most, func(i, j int) bool {
		if most[i].Uses != most[j].Uses {
			return most[i].Uses > most[j].Uses
		}
		return most[i].ElementID < most[j].ElementID
	})
	if len(most) > opts.Top {
		most = most[:opts.Top]
	}
	sort.Slice(fat, func(i, j int) bool {
		if len(fat[i].WindowUses) != len(fat[j].WindowUses) {
			return len(fat[i].WindowUses) > len(fat[j].WindowUses)
		}
		return fat[i].ElementID < fat[j].ElementID
	})
	if most == nil {
		most = []Reused{}
	}
	if fat == nil {
		fat = []Fatigued{}
	}
	return most, fat
}

// busiestWindow returns the range [lo, hi) of sorted times holding the
// most times within window (last - first <= window), the latest such range
// on ties, and its size.
func busiestWindow(times []time.Time, window time.Duration) (lo, hi, n int) {
	i := 0
	for j := range times {
		for times[j].Sub(times[i]) > window {
			i++
		}
		if j+1-i >= n {
			lo, hi, n = i, j+1, j+1-i
		}
	}
	return lo, hi, n
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(int64(float64(a)/float64(b)*10000+0.5)) / 10000
}

// ReuseSampleAssets is how many of the newest assets LibraryReuse checks
// when Options.MaxAssets does not say.
const ReuseSampleAssets = 500

// LibraryReuse returns the reuse figures of the whole library — the reuse
// rate `elib stats` and GET /v1/stats report — by the check's rule (an
// element reuses when its best match in earlier library material has
// containment >= 0.8), on the newest opts.MaxAssets assets (default
// ReuseSampleAssets), each checked against the library as of its
// publication. The period fields of opts are ignored.
func LibraryReuse(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, opts Options) (Figures, error) {
	st, err := Compute(ctx, engine, lib, reuseOptions(opts))
	if err != nil {
		return Figures{}, err
	}
	return st.Figures, nil
}

// reuseOptions are LibraryReuse's options: opts without a period, on the
// newest opts.MaxAssets (default ReuseSampleAssets) assets.
func reuseOptions(opts Options) Options {
	if opts.MaxAssets <= 0 {
		opts.MaxAssets = ReuseSampleAssets
	}
	opts.Since, opts.Until, opts.By = time.Time{}, time.Time{}, ""
	return opts
}

// Overview is LibraryReuse and, when period is set, Compute — what `elib
// stats` and GET /v1/stats show — over one reading of the stored outcomes
// (nil Stats without period).
func Overview(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, opts Options, period bool) (Figures, *Stats, error) {
	store, ok := lib.(kit.OutcomeStore)
	if !ok || opts.Recompute {
		reuse, err := LibraryReuse(ctx, engine, lib, opts)
		if err != nil || !period {
			return reuse, nil, err
		}
		st, err := Compute(ctx, engine, lib, opts)
		return reuse, st, err
	}
	start := time.Now()
	opts.ensureDefaults()
	v, err := readStored(ctx, engine, lib, store, opts)
	if err != nil {
		return Figures{}, nil, err
	}
	rst, err := v.compute(ctx, engine, lib, reuseOptions(opts), start, period)
	if err != nil || !period {
		if rst == nil {
			return Figures{}, nil, err
		}
		return rst.Figures, nil, err
	}
	st, err := v.compute(ctx, engine, lib, opts, time.Now(), false)
	return rst.Figures, st, err
}

// engineFor is engine, else the one Options.LoadEngine loads.
func engineFor(engine *fingerprint.Engine, opts Options) (*fingerprint.Engine, error) {
	if engine != nil {
		return engine, nil
	}
	if opts.LoadEngine == nil {
		return nil, errors.New("no fingerprint engine")
	}
	return opts.LoadEngine()
}

// engineOptions are the options of engine, or of the one
// Options.LoadEngine would load.
func engineOptions(engine *fingerprint.Engine, opts Options) fingerprint.Options {
	if engine != nil {
		return engine.Options()
	}
	o := opts.EngineOptions
	o.EnsureDefaults()
	return o
}

// loadIndex loads the library's candidate indexes before anything is
// checked, when it opened without them (kit.IndexLoader): reading stored
// outcomes needs none.
func loadIndex(lib kit.Library) error {
	if il, ok := lib.(kit.IndexLoader); ok {
		return il.LoadIndex()
	}
	return nil
}

// forEach calls fn(k) for k in [0, n) on workers goroutines and waits for
// them; once ctx is done it hands out no more k (those are not called).
func forEach(ctx context.Context, workers, n int, fn func(k int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				fn(k)
			}
		}()
	}
feed:
	for k := 0; k < n; k++ {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}
