package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"elib/check"
	"elib/fingerprint"
	"elib/insight"
	"elib/library/kit"
	"elib/vfs"
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

// fatigueCacheTTL is how long a computed fatigue serves later checks of an
// unchanged library.
const fatigueCacheTTL = time.Hour

// cachedFatigue is the cache file's content.
type cachedFatigue struct {
	Computed time.Time          `json:"computed"`
	Days     int                `json:"days"`
	Reuse    float64            `json:"reuse"`
	Elements []insight.Fatigued `json:"elements"`
}

// current computes the library's fatigue now (nil when turned off; a nil
// *insight.Fatigue warns about nothing). For a library on disk the result
// is cached in the user's cache directory for an hour, keyed by the
// library, its generation and the flags, so a run of checks pays for it
// once.
func (f *fatigueFlags) current(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, threshold float64, location string) (*insight.Fatigue, error) {
	if f.off || f.uses < 1 || f.days < 1 {
		return nil, nil
	}
	now := time.Now()
	cache := ""
	gen, genErr := lib.Generation() // on failure, no cache: computing reads the library and says why
	if genErr == nil && location != "" {
		if dir, err := os.UserCacheDir(); err == nil {
			abs, _ := filepath.Abs(location)
			sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%d\x00%v", abs, gen, f.uses, f.days, threshold))
			cache = filepath.Join(dir, "elib", "fatigue-"+hex.EncodeToString(sum[:8])+".json")
		}
	}
	if cache != "" {
		if b, err := os.ReadFile(cache); err == nil {
			var c cachedFatigue
			if json.Unmarshal(b, &c) == nil && now.Sub(c.Computed) >= 0 && now.Sub(c.Computed) < fatigueCacheTTL {
				return insight.NewFatigue(c.Elements, c.Days, c.Reuse), nil
			}
		}
	}
	fat, err := insight.CurrentFatigue(ctx, engine, lib, now, insight.Options{
		FatigueUses: f.uses, FatigueDays: f.days, Check: check.Options{Threshold: threshold}})
	if err != nil {
		return nil, err
	}
	if cache != "" {
		b, _ := json.Marshal(cachedFatigue{Computed: now, Days: fat.Days, Reuse: fat.Reuse(), Elements: fat.Elements})
		if err := os.MkdirAll(filepath.Dir(cache), 0o755); err == nil {
			if err := vfs.WriteFile(vfs.OS, cache, b); err != nil {
				slog.Debug("fatigue cache not written", "file", cache, "err", err)
			}
		}
	}
	return fat, nil
}
