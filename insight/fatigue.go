package insight

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"elib/check"
	"elib/fingerprint"
	"elib/fulltext"
	"elib/library/kit"
)

// DefaultFatigueAssets caps the recent assets CurrentFatigue checks (the
// newest): a check must not wait for a whole library's worth of checks.
const DefaultFatigueAssets = 500

// recentAssets returns the assets published in [opts.Since, opts.Until]
// with their published times, oldest first, through the library's search
// by published time (reading every asset when the search fails). Nothing is published after Until = now, so only the window's
// assets need a published time: every other asset is older.
func recentAssets(ctx context.Context, lib kit.Library, opts Options) (map[string]time.Time, []periodAsset, error) {
	limit := max(1000, 20*opts.MaxAssets)
	res, err := lib.Search(ctx, fulltext.Query{Since: opts.Since, Until: opts.Until, Sort: fulltext.SortCreated, Limit: limit})
	if err != nil {
		slog.Debug("fatigue: search by published time failed; reading every asset", "err", err)
		return periodAssets(lib, opts)
	}
	published := map[string]time.Time{}
	var period []periodAsset
	for _, h := range res.Hits {
		if _, seen := published[h.AssetID]; seen {
			continue
		}
		a, err := lib.Asset(h.AssetID)
		if errors.Is(err, kit.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		p, _ := a.Published()
		published[h.AssetID] = p
		if !p.IsZero() && !p.Before(opts.Since) && !p.After(opts.Until) {
			period = append(period, periodAsset{asset: a, published: p})
		}
	}
	sort.Slice(period, func(i, j int) bool {
		if !period[i].published.Equal(period[j].published) {
			return period[i].published.Before(period[j].published)
		}
		return period[i].asset.ID < period[j].asset.ID
	})
	return published, period, nil
}

// Fatigue is the library's fatigued material at one moment: the elements
// at least FatigueUses assets reused within the last FatigueDays days.
type Fatigue struct {
	// Elements are the fatigued elements, busiest first.
	Elements []Fatigued
	// Days is the window the uses fell in.
	Days     int
	byMember map[string]int // element id → index in Elements
	reuse    float64
}

// CurrentFatigue computes the fatigue at now: stats over the last
// opts.FatigueDays days (opts' period is ignored).
func CurrentFatigue(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, now time.Time, opts Options) (*Fatigue, error) {
	opts.ensureDefaults()
	opts.Since = now.Add(-time.Duration(opts.FatigueDays) * 24 * time.Hour)
	opts.Until = now
	opts.By = ""
	if opts.MaxAssets == 0 {
		opts.MaxAssets = DefaultFatigueAssets
	}
	start := time.Now()
	var st *Stats
	if store, ok := lib.(kit.OutcomeStore); ok && !opts.Recompute {
		// Stored outcomes: the window's assets are read from them, not
		// checked (the missing or stale ones are).
		var err error
		if st, err = computeStored(ctx, engine, lib, store, opts, start); err != nil {
			return nil, fmt.Errorf("fatigue: %w", err)
		}
	} else {
		published, period, err := recentAssets(ctx, lib, opts)
		if err != nil {
			return nil, fmt.Errorf("fatigue: %w", err)
		}
		total, err := lib.AssetCount()
		if err != nil {
			return nil, fmt.Errorf("fatigue: %w", err)
		}
		if st, err = compute(ctx, engine, lib, opts, newTimeline(published, total), period, start); err != nil {
			return nil, fmt.Errorf("fatigue: %w", err)
		}
	}
	slog.Debug("fatigue computed", "assets", st.Checks, "skipped", st.Skipped, "fatigued", len(st.Fatigued), "took_ms", st.TookMs)
	c := opts.Check
	c.EnsureDefaults(engineOptions(engine, opts).MinRun)
	return NewFatigue(st.Fatigued, opts.FatigueDays, c.Tuning.ReuseContainment), nil
}

// NewFatigue rebuilds a Fatigue from its elements (e.g. read back from a
// cache): days is the window, reuse the containment at which a match
// reuses an element.
func NewFatigue(elements []Fatigued, days int, reuse float64) *Fatigue {
	f := &Fatigue{Elements: elements, Days: days, byMember: map[string]int{}, reuse: reuse}
	for i, e := range f.Elements {
		for _, m := range e.Members {
			if _, ok := f.byMember[m]; !ok {
				f.byMember[m] = i
			}
		}
	}
	return f
}

// Reuse is the containment at which a match reuses an element.
func (f *Fatigue) Reuse() float64 { return f.reuse }

// Warn adds a warning to res for every element that reuses fatigued
// material (a match with reuse containment against the fatigued element or
// one of its recent reuses). It never changes the verdict.
func (f *Fatigue) Warn(res *check.Result) {
	if f == nil || len(f.byMember) == 0 {
		return
	}
	for i, er := range res.Elements {
		for _, m := range er.Matches {
			k, ok := f.byMember[m.ElementID]
			if !ok || m.Containment < f.reuse {
				continue
			}
			fe := f.Elements[k]
			ids := make([]string, len(fe.WindowUses))
			for j, u := range fe.WindowUses {
				ids[j] = u.AssetID
			}
			res.Warnings = append(res.Warnings, check.Warning{
				Kind: check.WarnFatigued, Element: i, ElementID: fe.ElementID,
				Message: fmt.Sprintf("%s element reuses %s, a fatigued element: %d assets reused it within %d days (%s)",
					er.Type, fe.ElementID, len(fe.WindowUses), f.Days, strings.Join(ids, ", ")),
				Uses: fe.WindowUses, Days: f.Days,
			})
			break
		}
	}
}
