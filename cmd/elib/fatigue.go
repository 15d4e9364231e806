package main

import (
	"context"
	"time"

	"github.com/spf13/pflag"

	"elib/check"
	"elib/fingerprint"
	"elib/insight"
)

// fatigueFlags are the check flags of the fatigue warning: a checked
// element reusing a library element that K assets reused within the last D
// days gets a warning (never a rejection).
type fatigueFlags struct {
	uses, days int
	off        bool
}

func (f *fatigueFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.uses, "fatigue-uses", 3, "warn on reuse of an element reused by at least this many assets within --fatigue-days days")
	fs.IntVar(&f.days, "fatigue-days", 14, "the window of days for --fatigue-uses")
	fs.BoolVar(&f.off, "no-fatigue", false, "skip the fatigue warnings (they check the last --fatigue-days days of the library first)")
}

// current computes the library's fatigue now (nil when turned off; a nil
// *insight.Fatigue warns about nothing).
func (f *fatigueFlags) current(ctx context.Context, engine *fingerprint.Engine, lib insight.Library, threshold float64) (*insight.Fatigue, error) {
	if f.off || f.uses < 1 || f.days < 1 {
		return nil, nil
	}
	return insight.CurrentFatigue(ctx, engine, lib, time.Now(), insight.Options{
		FatigueUses: f.uses, FatigueDays: f.days, Check: check.Options{Threshold: threshold}})
}
