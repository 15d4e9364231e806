package main

import (
	"context"
	"elib/internal/i18n"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/text/width"

	"elib/check"
	"elib/history"
	"elib/index"
	"elib/insight"
)

// historyOptions are the flags of `elib history`.
type historyOptions struct {
	since, until string
	verdict      string
	limit        int
}

func newHistoryCommand(g *globalOptions) *cobra.Command {
	opts := historyOptions{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the library's recorded checks (elib serve, check --record)",
		Long: `History lists the checks recorded in the library's check history, oldest
first: every check made through elib serve (the page and POST /v1/check)
and every elib check --record. Each names when, who (the token's name or
the user), the file, the verdict, the duplication, the level and the top
source. The history is kept across restarts, reindex and migrate.`,
		Example: `  elib history --since 7d
  elib history --verdict reject --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistory(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.since, "since", "", "checks since then (30d, 2w, 2026-11-01)")
	f.StringVar(&opts.until, "until", "", "checks until then (7d, 2026-11-30; default now)")
	f.StringVar(&opts.verdict, "verdict", "", "only pass or reject")
	f.IntVar(&opts.limit, "limit", 0, "only the newest N checks (0: all)")
	return cmd
}

// historyJSON is `elib history --format json` and GET /v1/history.
type historyJSON struct {
	Total   int             `json:"total"`
	Entries []history.Entry `json:"entries"`
}

// historyFilter reads the history flags.
func (o historyOptions) filter(now time.Time) (history.Filter, error) {
	var f history.Filter
	var err error
	if f.Since, err = insight.ParseSince(o.since, now); err != nil {
		return f, err
	}
	if o.until != "" {
		if f.Until, err = insight.ParseUntil(o.until, now); err != nil {
			return f, err
		}
	}
	if o.limit < 0 {
		return f, i18n.Errorf("--limit must not be negative")
	}
	f.Verdict, f.Limit = o.verdict, o.limit
	return f, f.Validate()
}

// runHistory is `elib history` without cobra.
func runHistory(ctx context.Context, g *globalOptions, opts historyOptions) error {
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, i18n.Errorf("unknown --format %q for history (text, json)", g.format))
	}
	f, err := opts.filter(time.Now())
	if err != nil {
		return withCode(exitError, err)
	}
	lib, err := openLibrary(g, index.Options{ReadOnly: true, SkipVerify: true})
	if err != nil {
		return err
	}
	defer lib.Close()
	store, ok := lib.(history.Store)
	if !ok {
		return withCode(exitError, i18n.Errorf("history: this library keeps no check history"))
	}
	entries, err := store.History(ctx, f)
	if err != nil {
		return withCode(exitError, err)
	}
	if g.format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(historyJSON{Total: len(entries), Entries: entries}); err != nil {
			return withCode(exitError, i18n.Errorf("write json: %w", err))
		}
		return nil
	}
	tr := g.printer()
	if len(entries) == 0 {
		tr.F(g.stdout, "no recorded checks (elib serve and elib check --record record them)\n")
		return nil
	}
	rows := [][]string{{tr.T("TIME"), tr.T("WHO"), tr.T("FILE"), tr.T("VERDICT"), tr.T("DUPLICATION"), tr.T("LICENSED"), tr.T("LEVEL"), tr.T("COPIED"), tr.T("TOP SOURCE")}}
	for _, e := range entries {
		top := e.TopSource
		if e.TopSourceTitle != "" {
			top = e.TopSourceTitle + " (" + e.TopSource + ")"
		}
		if top == "" {
			top = "-"
		}
		rows = append(rows, []string{e.Time.In(g.zoneOr(historyZone)).Format("2006-01-02 15:04:05"), e.Who, e.File, verdictName(tr, e.Verdict),
			fmt.Sprintf("%.1f %%", e.Duplication*100), licensedCell(e), e.Level, spanKindName(tr, e.SpanKind), top})
	}
	return writeColumns(g.stdout, rows)
}

// writeColumns prints rows as left-aligned columns two spaces apart,
// measuring wide (CJK) characters as two columns, so Chinese names line
// up in a terminal (text/tabwriter counts them as one).
func writeColumns(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is the number of terminal columns s takes: East Asian wide
// and full-width characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// verdictName is a verdict as text output names it (回炉/通过 in Chinese).
func verdictName(tr *i18n.Printer, v string) string {
	switch v {
	case check.Reject:
		return tr.T("reject")
	case check.Pass:
		return tr.T("pass")
	}
	return v
}

// licensedCell is a pack check's licensed share ("-" without a pack).
func licensedCell(e history.Entry) string {
	if e.Pack == "" {
		return "-"
	}
	return fmt.Sprintf("%.1f %%", e.LicensedDuplication*100)
}

// spanKindName says how a checked text was copied (exact, edited: 洗稿).
func spanKindName(tr *i18n.Printer, kind string) string {
	switch kind {
	case check.KindExact:
		return tr.T("exact")
	case check.KindEdited:
		return tr.T("edited")
	}
	return "-"
}

// historyZone is the zone history times print in without --tz (the
// team's, Asia/Shanghai, as the reports).
var historyZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// padRight is s padded with spaces to n terminal columns.
func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-displayWidth(s)))
}
