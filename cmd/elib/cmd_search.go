package main

import (
	"cmp"
	"context"
	"elib/internal/i18n"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"elib/element"
	"elib/fulltext"
	"elib/index"
	"elib/insight"
)

// searchOptions are the flags of `elib search`.
type searchOptions struct {
	typ      string
	limit    int
	offset   int
	noFacets bool
	where    []string
	bpm      string
	since    string
	until    string
	sort     string
}

func newSearchCommand(g *globalOptions) *cobra.Command {
	opts := searchOptions{}
	cmd := &cobra.Command{
		Use:   "search [QUERY...]",
		Short: "Full-text search of the library's elements",
		Long: `Search finds library elements whose copy text or asset title matches QUERY.
Chinese text is segmented with jieba; Traditional, full-width and upper-case
queries find Simplified, half-width, lower-case text and the other way round.
Hits containing the whole query as a phrase rank first; otherwise at least two
thirds of the query's words must occur.

--type restricts hits to one element type (hook 钩子, conflict 冲突,
testimonial 证言, conversion 转化, story 故事, other 其他). Attributes and
results filter too: --where KEY=VALUE (repeatable, all must hold; camera 镜头,
subtitle_color 字幕色, bgm, verb 文案动词, platform 平台, campaign 活动,
product 产品, account, or any metadata key; KEY:VALUE words in QUERY work the
same), --bpm LO-HI, --since/--until (the asset's published time: meta
published or created, else its import time; a span like 30d or a date), and
--sort score|plays|created. With filters and no QUERY every matching element
is listed. Counts per type, campaign, platform, camera, subtitle colour and
BPM band are shown below the hits.

Search works while an import runs in another process (it waits for the
import's current batch, at most a few seconds). Exit codes: 0 ok, 2 error.`,
		Example: `  elib search 防晒霜
  elib search --type hook 你是不是
  elib search camera:推近
  elib search --where platform=抖音 --where camera=推近 --sort plays
  elib search --type hook --bpm 120-130 --since 30d
  elib search --format json --limit 50 限时立减`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSearch(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.typ, "type", "", "only elements of this type (hook, conflict, testimonial, conversion, story, other or 钩子…)")
	f.IntVar(&opts.limit, "limit", fulltext.DefaultLimit, "number of hits to show")
	f.IntVar(&opts.offset, "offset", 0, "skip this many hits (paging)")
	f.BoolVar(&opts.noFacets, "no-facets", false, "do not count hits per type, campaign, platform, camera, subtitle colour and BPM")
	f.StringArrayVar(&opts.where, "where", nil, "filter KEY=VALUE on an attribute or metadata key (repeatable: all must hold)")
	f.StringVar(&opts.bpm, "bpm", "", "only elements whose BGM tempo lies in LO-HI (e.g. 120-130)")
	f.StringVar(&opts.since, "since", "", "only assets published at or after this (30d, 2w, 2026-11-01)")
	f.StringVar(&opts.until, "until", "", "only assets published at or before this (7d, 2026-11-30)")
	f.StringVar(&opts.sort, "sort", fulltext.SortScore, "order: score (relevance), plays (most played first) or created (newest first)")
	return cmd
}

// runSearch is `elib search` without cobra.
func runSearch(ctx context.Context, g *globalOptions, opts searchOptions, args []string) error {
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, i18n.Errorf("unknown --format %q for search (text, json)", g.format))
	}
	text := strings.TrimSpace(strings.Join(args, " "))
	q, err := searchQuery(text, opts, time.Now())
	if err != nil {
		return withCode(exitError, err)
	}
	if q.Text == "" && opts.typ == "" && len(q.Where) == 0 && q.BPM == nil && q.Since.IsZero() && q.Until.IsZero() {
		return withCode(exitError, i18n.Errorf("search: give a QUERY or a filter (--type, --where, --bpm, --since, --until)"))
	}
	typ := ""
	if opts.typ != "" {
		t, ok := element.ParseType(opts.typ)
		if !ok {
			return withCode(exitError, i18n.Errorf("search: unknown --type %q (hook, conflict, testimonial, conversion, story, other)", opts.typ))
		}
		typ = string(t)
	}
	if opts.limit <= 0 || opts.offset < 0 {
		return withCode(exitError, i18n.Errorf("search: --limit must be positive and --offset not negative"))
	}
	q.Type, q.Limit, q.Offset, q.Facets = typ, opts.limit, opts.offset, !opts.noFacets

	res, err := searchLibrary(ctx, g, q)
	if err != nil {
		return withCode(exitError, err)
	}
	if g.format == "json" {
		return writeSearchJSON(g.stdout, q, res)
	}
	writeSearchText(g.stdout, g, q, res, colorEnabled(g.stdout))
	return nil
}

// searchLibrary runs q on the library of g through Library.Search (a
// file library opens its full-text index read-only, waiting for a
// concurrent import's current batch).
func searchLibrary(ctx context.Context, g *globalOptions, q fulltext.Query) (*fulltext.Result, error) {
	lib, err := openLibrary(g, index.Options{ReadOnly: true, SkipVerify: true})
	if err != nil {
		var ce *exitCodeError
		if errors.As(err, &ce) && ce.err != nil {
			err = ce.err
		}
		return nil, i18n.Errorf("search: %w", err)
	}
	defer lib.Close()
	res, err := lib.Search(ctx, q)
	if errors.Is(err, fs.ErrNotExist) {
		return &fulltext.Result{Hits: []fulltext.Hit{}}, nil // nothing imported yet
	}
	if err != nil {
		return nil, err
	}
	if err := res.AddAttributes(lib.Asset); err != nil {
		// The hits stand without their attributes (an index ahead of the
		// store, a read error): said, not fatal.
		slog.Warn("search: element attributes", "err", err)
	}
	return res, nil
}

func writeSearchJSON(w io.Writer, q fulltext.Query, res *fulltext.Result) error {
	out := fulltext.NewResponse(q.Text, res)
	out.Filters = q.Filters()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return withCode(exitError, i18n.Errorf("write json: %w", err))
	}
	return nil
}

// ANSI highlight for terminals.
const (
	ansiMark  = "\x1b[1;33m"
	ansiReset = "\x1b[0m"
)

func writeSearchText(w io.Writer, g *globalOptions, q fulltext.Query, res *fulltext.Result, color bool) {
	tr := g.printer()
	text := q.Text
	what := fmt.Sprintf("%q", text)
	if text == "" {
		what = tr.T("the filter")
	}
	if f := q.Describe(); f != "" {
		what += tr.T(" where %s", f)
	}
	tr.F(w, "%d element(s) match %s (%.1f ms)\n", res.Total, what, float64(res.Took.Microseconds())/1000)
	for i, h := range res.Hits {
		t, _ := element.ParseType(h.Type)
		fmt.Fprintf(w, "\n%2d. %s %s  %s", i+1, t.Chinese(), h.Type, h.ID)
		if h.AssetID != "" && h.AssetID != h.ID {
			tr.F(w, "  asset %s", h.AssetID)
		}
		if h.Title != "" {
			fmt.Fprintf(w, "  《%s》", h.Title)
		}
		tr.F(w, "  score %.3f", h.Score)
		if h.Plays != nil {
			tr.F(w, "  plays %.0f", *h.Plays)
		}
		if h.Published != "" {
			tr.F(w, "  published %s", g.localTime(h.Published))
		}
		fmt.Fprintln(w)
		if len(h.Attributes) > 0 {
			fmt.Fprintf(w, "    %s\n", element.FormatAttributes(h.Attributes))
		}
		frags := h.Fragments
		if len(frags) == 0 {
			frags = []string{html.EscapeString(h.Text)}
		}
		for _, f := range frags {
			fmt.Fprintf(w, "    %s\n", renderFragment(f, color))
		}
	}
	for _, name := range []string{"type", "campaign", "platform", fulltext.FacetCamera, fulltext.FacetSubtitleColor, fulltext.FacetBPM} {
		counts := res.Facets[name]
		if len(counts) == 0 {
			continue
		}
		parts := make([]string, len(counts))
		for i, c := range counts {
			parts[i] = fmt.Sprintf("%s %d", c.Term, c.Count)
		}
		if name == "type" && len(parts) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%-15s %s\n", name+":", strings.Join(parts, " · "))
	}
}

// renderFragment turns a highlighted HTML fragment into terminal text:
// matches in bold colour on a terminal, else in 【】; entities unescaped and
// line breaks flattened.
func renderFragment(f string, color bool) string {
	open, closing := "【", "】"
	if color {
		open, closing = ansiMark, ansiReset
	}
	var b strings.Builder
	for f != "" {
		i := strings.Index(f, "<mark>")
		if i < 0 {
			b.WriteString(html.UnescapeString(f))
			break
		}
		b.WriteString(html.UnescapeString(f[:i]))
		f = f[i+len("<mark>"):]
		j := strings.Index(f, "</mark>")
		if j < 0 {
			j = len(f)
		}
		b.WriteString(open + html.UnescapeString(f[:j]) + closing)
		f = strings.TrimPrefix(f[j:], "</mark>")
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "\n", " ⏎ ")), " ")
}

// searchQuery builds the search request of the command's text and filter
// flags (everything but type, limit, offset and facets).
func searchQuery(text string, opts searchOptions, now time.Time) (fulltext.Query, error) {
	q := fulltext.Query{Text: text, Sort: cmp.Or(opts.sort, fulltext.SortScore)}
	for _, w := range opts.where {
		f, err := fulltext.ParseFilter(w)
		if err != nil {
			return q, i18n.Errorf("search: --where: %w", err)
		}
		q.Where = append(q.Where, f)
	}
	q = q.Normalized()
	if opts.bpm != "" {
		r, err := fulltext.ParseRange(opts.bpm)
		if err != nil {
			return q, i18n.Errorf("search: --bpm: %w", err)
		}
		q.BPM = &r
	}
	var err error
	if q.Since, err = insight.ParseSince(opts.since, now); err != nil {
		return q, i18n.Errorf("search: %w", err)
	}
	if q.Until, err = insight.ParseUntil(opts.until, now); err != nil {
		return q, i18n.Errorf("search: %w", err)
	}
	if !slices.Contains(fulltext.Sorts, q.Sort) {
		return q, i18n.Errorf("search: unknown --sort %q (score, plays, created)", q.Sort)
	}
	return q, nil
}
