package insight

import (
	"context"
	"fmt"
	"strings"
	"time"

	"elib/check"
	"elib/fingerprint"
)

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
func CurrentFatigue(ctx context.Context, engine *fingerprint.Engine, lib Library, now time.Time, opts Options) (*Fatigue, error) {
	opts.ensureDefaults()
	opts.Since = now.Add(-time.Duration(opts.FatigueDays) * 24 * time.Hour)
	opts.Until = now
	opts.By = ""
	st, err := Compute(ctx, engine, lib, opts)
	if err != nil {
		return nil, fmt.Errorf("fatigue: %w", err)
	}
	c := opts.Check
	c.EnsureDefaults(engine.Options().MinRun)
	f := &Fatigue{Elements: st.Fatigued, Days: opts.FatigueDays, byMember: map[string]int{}, reuse: c.Tuning.ReuseContainment}
	for i, e := range f.Elements {
		for _, m := range e.Members {
			if _, ok := f.byMember[m]; !ok {
				f.byMember[m] = i
			}
		}
	}
	return f, nil
}

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
				Uses: fe.WindowUses,
			})
			break
		}
	}
}
