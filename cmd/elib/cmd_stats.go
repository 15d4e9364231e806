package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"elib/internal/i18n"

	"github.com/spf13/cobra"

	"elib/api"
	"elib/check"
	"elib/element"
	"elib/fingerprint"
	"elib/index"
	"elib/insight"
	"elib/library/kit"
)

// statsOptions are the flags of `elib stats`.
type statsOptions struct {
	since, until string
	by           string
	fatigueUses  int
	fatigueDays  int
	top          int
	sample       bool
	threshold    float64
	recompute    bool
}

func newStatsCommand(g *globalOptions) *cobra.Command {
	opts := statsOptions{}
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show library size, reuse rate, homogeneity and fatigued elements",
		Long: `Stats prints the number of assets and elements, elements per type, the
library's size on disk and its reuse rate: the share of elements whose best
match in another asset of the library contains at least 80 % of their
fingerprint (estimated on up to 2,000 sampled elements). Opening the library
verifies every segment's checksum, so stats also reports a damaged library;
a segment file unchanged since a reader verified it (same inode, size,
modification and change times, remembered in verified.json) is not read
again whole, and its blocks keep their own checksums.

With --since/--until (a span back from now like 30d, or a date) or --by, it
also reports on the assets published in that period (meta published or
created, else the import time), each checked against the library as it stood
when it was published (itself and later assets hidden), exactly as
` + "`elib check`" + ` judged it when new:
  reuse rate    share of their elements whose best match has containment
                >= 0.8 (check's reuse_rate rule);
  homogeneity   share of the assets at platform level L3 or above (>= 30 %
                duplication: what platforms throttle);
  levels        assets per level L1–L5, and the series per week or month;
  most reused   library elements reused by most period assets (a reuse is
                traced to the earliest holder of the material);
  fatigued      elements reused by >= --fatigue-uses assets within
                --fatigue-days days (defaults 3 and 14);
  --by          the same per platform, campaign or account.
Each asset's judgement is stored with the library when it is imported
(its check outcome); stats reads the stored outcomes and checks again
only those an out-of-order import, a replaced or removed source, another
allowlist or the boilerplate statistics made stale (period.outcomes says
how many), storing them for the next time. --recompute checks every
period asset. A run that checks assets keeps its heap under half the
machine's memory (a soft limit; $GOMEMLIMIT sets another).
Exit codes: 0 ok, 2 error.`,
		Example: `  elib stats
  elib stats --since 30d
  elib stats --since 2026-11-01 --until 2026-11-30 --by platform --format json
  elib stats --sample --since 2025-01-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStats(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.since, "since", "", "report on assets published since then (30d, 2w, 2026-11-01)")
	f.StringVar(&opts.until, "until", "", "report on assets published until then (7d, 2026-11-30; default now)")
	f.StringVar(&opts.by, "by", "", "group the period's figures by platform, campaign or account")
	f.IntVar(&opts.fatigueUses, "fatigue-uses", 3, "K: an element reused by at least K assets within --fatigue-days days is fatigued")
	f.IntVar(&opts.fatigueDays, "fatigue-days", 14, "D: the window of days for --fatigue-uses")
	f.IntVar(&opts.top, "top", 10, "how many most reused elements to list")
	f.BoolVar(&opts.sample, "sample", false, "report on the embedded sample library")
	f.Float64Var(&opts.threshold, "threshold", check.DefaultThreshold, "the check's rejection threshold (levels do not depend on it)")
	f.BoolVar(&opts.recompute, "recompute", false, "check every period asset again instead of reading the stored check outcomes")
	return cmd
}

// statsReadGCPercent is the garbage collector's target (GOGC) while
// elib stats reads stored outcomes only, before anything must be checked.
const statsReadGCPercent = 400

// statsMemoryShare is the share of the machine's memory a stats run that
// checks assets keeps its heap under (a soft limit, debug.SetMemoryLimit).
const statsMemoryShare = 0.5

// statsMemory is how elib stats uses memory. Reading stored outcomes
// only, the run is short and its heap mostly what it keeps for the
// answer: it collects less often (statsReadGCPercent). Once an asset must
// be checked (a library's first run checks every one, for minutes), the
// default target is back and the heap is kept under statsMemoryShare of
// the machine's memory. $GOGC and $GOMEMLIMIT, when set, win.
type statsMemory struct {
	gc, limit int64 // what to restore; -1: nothing
	once      sync.Once
}

func newStatsMemory() *statsMemory {
	m := &statsMemory{gc: -1, limit: -1}
	if os.Getenv("GOGC") == "" {
		m.gc = int64(debug.SetGCPercent(statsReadGCPercent))
	}
	return m
}

// checking is called before the first check.
func (m *statsMemory) checking() {
	m.once.Do(func() {
		if m.gc >= 0 {
			debug.SetGCPercent(int(m.gc))
		}
		if total := machineMemory(); total > 0 && os.Getenv("GOMEMLIMIT") == "" {
			m.limit = debug.SetMemoryLimit(int64(statsMemoryShare * float64(total)))
		}
	})
}

// restore puts back what the run changed.
func (m *statsMemory) restore() {
	if m.gc >= 0 {
		debug.SetGCPercent(int(m.gc))
	}
	if m.limit >= 0 {
		debug.SetMemoryLimit(m.limit)
	}
}

// machineMemory is the machine's memory in bytes (MemTotal of
// /proc/meminfo; 0 where there is none).
func machineMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// periodWanted reports whether the period report was asked for.
func (o statsOptions) periodWanted() bool { return o.since != "" || o.until != "" || o.by != "" }

// insightOptions validates the period flags.
func (o statsOptions) insightOptions(now time.Time) (insight.Options, error) {
	var io insight.Options
	var err error
	if io.Since, err = insight.ParseSince(o.since, now); err != nil {
		return io, err
	}
	if io.Until, err = insight.ParseUntil(o.until, now); err != nil {
		return io, err
	}
	if !io.Since.IsZero() && !io.Until.IsZero() && io.Until.Before(io.Since) {
		return io, i18n.Errorf("--until %s is before --since %s", o.until, o.since)
	}
	if o.by != "" && !slices.Contains(insight.Bys, o.by) {
		return io, i18n.Errorf("unknown --by %q (platform, campaign, account)", o.by)
	}
	if o.fatigueUses < 1 || o.fatigueDays < 1 || o.top < 1 {
		return io, i18n.Errorf("--fatigue-uses, --fatigue-days and --top must be at least 1")
	}
	if check.ValidThreshold(o.threshold) != nil {
		return io, i18n.Errorf("--threshold %v must be between 0 and 1", o.threshold)
	}
	io.By, io.FatigueUses, io.FatigueDays, io.Top = o.by, o.fatigueUses, o.fatigueDays, o.top
	io.Check = check.Options{Threshold: o.threshold}
	io.Recompute = o.recompute
	return io, nil
}

// runStats is `elib stats` without cobra.
func runStats(ctx context.Context, g *globalOptions, opts statsOptions) error {
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, i18n.Errorf("unknown --format %q for stats (text, json)", g.format))
	}
	iopts, err := opts.insightOptions(time.Now())
	if err != nil {
		return withCode(exitError, i18n.Errorf("stats: %w", err))
	}
	iopts.Zone = g.zone // weeks and months begin in --tz
	// Stats over fresh stored outcomes need neither the tokenizer nor the
	// candidate indexes: both load only when an asset must be checked.
	loader := newLazyEngineLoader()
	iopts.LoadEngine, iopts.EngineOptions = loader.Engine, engineOptions
	if !opts.sample {
		mem := newStatsMemory()
		defer mem.restore()
		iopts.LoadEngine = func() (*fingerprint.Engine, error) {
			mem.checking()
			return loader.Engine()
		}
	}
	var engine *fingerprint.Engine
	var lib kit.Library
	desc := ""
	if opts.sample {
		if engine, err = loader.Engine(); err != nil {
			return withCode(exitError, err)
		}
		lib, _, err = sampleLibrary(ctx, engine)
		if err != nil {
			return withCode(exitError, err)
		}
		desc = "embedded sample library"
	} else {
		lib, err = openLibrary(g, index.Options{ReadOnly: true, LazyIndex: true})
		if err != nil {
			return err
		}
		desc = g.libraryDesc()
	}
	defer lib.Close()
	st, err := lib.Stats()
	if err != nil {
		return withCode(exitError, err)
	}
	reuse, period, err := insight.Overview(ctx, engine, lib, iopts, opts.periodWanted())
	if err != nil {
		return withCode(exitError, err)
	}
	out := api.NewStats(desc, st, reuse)
	out.Period = period
	if g.format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return withCode(exitError, i18n.Errorf("write json: %w", err))
		}
		return nil
	}
	w, tr := g.stdout, g.printer()
	if opts.sample {
		desc = tr.T("embedded sample library")
	}
	tr.F(w, "library   %s\n", desc)
	tr.F(w, "assets    %d\n", st.Assets)
	tr.F(w, "elements  %d\n", st.Elements)
	for _, t := range element.Types {
		fmt.Fprintf(w, "  %-12s %s %d\n", t, t.Chinese(), st.ByType[t])
	}
	tr.F(w, "disk      %s\n", humanBytes(st.DiskBytes))
	tr.F(w, "reuse     %.1f %% of elements reuse library material (the %d elements of the newest %d assets, containment ≥ 0.8)\n",
		100*out.ReuseRate, out.ReuseSample, min(st.Assets, insight.ReuseSampleAssets))
	if out.Period != nil {
		writePeriodText(w, g, out.Period)
	}
	return nil
}

// writePeriodText prints the period report in g's language, dates in
// g's zone.
func writePeriodText(w io.Writer, g *globalOptions, p *insight.Stats) {
	tr := g.printer()
	day := func(s string) string { return dateOf(g.localTime(s)) }
	bound := func(s, none string) string {
		if s == "" {
			return none
		}
		return day(s)
	}
	tr.F(w, "\nperiod    %s … %s: %d assets, %d elements\n", bound(p.Since, tr.T("the start")), bound(p.Until, tr.T("now")), p.Assets, p.Elements)
	tr.F(w, "reuse rate    %5.1f %%  (%d elements reuse a library element, containment ≥ 0.8)\n", 100*p.ReuseRate, p.Reused)
	tr.F(w, "homogeneity   %5.1f %%  (%d assets at level L3 or above)\n", 100*p.Homogeneity, p.Homogeneous)
	parts := make([]string, 0, len(check.Levels))
	for _, l := range check.Levels {
		parts = append(parts, fmt.Sprintf("%s %d", l, p.Levels[l]))
	}
	tr.F(w, "levels        %s\n", strings.Join(parts, " · "))
	if len(p.Series) > 0 {
		tr.F(w, "series\n")
		rows := make([][]string, 0, len(p.Series))
		for _, b := range p.Series {
			rows = append(rows, []string{"", b.Start, tr.T("%d assets", b.Assets), tr.T("reuse %.1f %%", 100*b.ReuseRate), tr.T("L3+ %.1f %%", 100*b.Homogeneity)})
		}
		_ = writeColumns(w, rows)
	}
	if len(p.Groups) > 0 {
		tr.F(w, "by %s\n", tr.T(p.By))
		// Columns measured in terminal columns: Chinese platform, campaign
		// and account names line up.
		rows := make([][]string, 0, len(p.Groups))
		for _, gr := range p.Groups {
			rows = append(rows, []string{"", gr.Key, tr.T("%d assets", gr.Assets), tr.T("reuse %.1f %%", 100*gr.ReuseRate), tr.T("L3+ %.1f %%", 100*gr.Homogeneity)})
		}
		_ = writeColumns(w, rows)
	}
	if len(p.MostReused) > 0 {
		tr.F(w, "most reused\n")
		for _, r := range p.MostReused {
			tr.F(w, "  %3d×  %s (%s %s)  %s  last %s\n", r.Uses, r.ElementID, r.Type.Chinese(), r.Type, clip(r.Text, 30), day(r.LastUsed))
		}
	}
	tr.F(w, "fatigued      %d element(s) reused by ≥ %d assets within %d days\n", len(p.Fatigued), p.FatigueUses, p.FatigueDays)
	for _, f := range p.Fatigued {
		uses := make([]string, len(f.WindowUses))
		for i, u := range f.WindowUses {
			uses[i] = u.AssetID + " " + day(u.Published)
		}
		fmt.Fprintf(w, "  %s (%s)  %s\n      %s\n", f.ElementID, typeName(tr, f.Type), clip(f.Text, 30), strings.Join(uses, tr.T(", ")))
	}
	tr.F(w, "checked %d assets in %.0f ms\n", p.Checks, p.TookMs)
	if o := p.Outcomes; o != nil {
		tr.F(w, "outcomes  %d stored, %d stale or missing checked now (%d saved)\n", o.Stored, o.Stale, o.Saved)
	}
}

// dateOf is the date of an RFC 3339 time (its first 10 characters).
func dateOf(s string) string {
	if len(s) < 10 {
		return s
	}
	return s[:10]
}

// clip shortens s to n code points with an ellipsis, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// humanBytes formats a size with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// typeName is an element type as text output names it: 钩子 in Chinese,
// hook in English.
func typeName(tr *i18n.Printer, t element.Type) string {
	if tr.Chinese() {
		return t.Chinese()
	}
	return string(t)
}
