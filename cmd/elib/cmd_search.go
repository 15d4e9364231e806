package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"elib/element"
	"elib/index"
	"elib/index/fulltext"
)

// searchOptions are the flags of `elib search`.
type searchOptions struct {
	typ      string
	limit    int
	offset   int
	noFacets bool
}

func init() { registerCommand(newSearchCommand) }

func newSearchCommand(g *globalOptions) *cobra.Command {
	opts := searchOptions{}
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Full-text search of the library's elements",
		Long: `Search finds library elements whose copy text or asset title matches QUERY.
Chinese text is segmented with jieba; Traditional, full-width and upper-case
queries find Simplified, half-width, lower-case text and the other way round.
Hits containing the whole query as a phrase rank first; otherwise at least two
thirds of the query's words must occur.

--type restricts hits to one element type (hook 钩子, conflict 冲突,
testimonial 证言, conversion 转化, story 故事, other 其他); with --type and no
QUERY every element of that type is listed. Counts per type, campaign and
platform are shown below the hits.

Search works while an import runs in another process (it waits for the
import's current batch, at most a few seconds). Exit codes: 0 ok, 2 error.`,
		Example: `  elib search 防晒霜
  elib search --type hook 你是不是
  elib search --format json --limit 50 限时立减`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSearch(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.typ, "type", "", "only elements of this type (hook, conflict, testimonial, conversion, story, other or 钩子…)")
	f.IntVar(&opts.limit, "limit", fulltext.DefaultLimit, "number of hits to show")
	f.IntVar(&opts.offset, "offset", 0, "skip this many hits (paging)")
	f.BoolVar(&opts.noFacets, "no-facets", false, "do not count hits per type, campaign and platform")
	return cmd
}

// runSearch is `elib search` without cobra.
func runSearch(ctx context.Context, g *globalOptions, opts searchOptions, args []string) error {
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, fmt.Errorf("unknown --format %q for search (text, json)", g.format))
	}
	text := strings.TrimSpace(strings.Join(args, " "))
	if text == "" && opts.typ == "" {
		return withCode(exitError, errors.New("search: give a QUERY (or --type to list elements of a type)"))
	}
	typ := ""
	if opts.typ != "" {
		t, ok := element.ParseType(opts.typ)
		if !ok {
			return withCode(exitError, fmt.Errorf("search: unknown --type %q (hook, conflict, testimonial, conversion, story, other)", opts.typ))
		}
		typ = string(t)
	}
	if opts.limit <= 0 || opts.offset < 0 {
		return withCode(exitError, errors.New("search: --limit must be positive and --offset not negative"))
	}
	q := fulltext.Query{Text: text, Type: typ, Limit: opts.limit, Offset: opts.offset, Facets: !opts.noFacets}

	res, err := searchLibrary(ctx, g.libraryDir(), q)
	if err != nil {
		return withCode(exitError, err)
	}
	if g.format == "json" {
		return writeSearchJSON(g.stdout, text, res)
	}
	writeSearchText(g.stdout, text, res, colorEnabled(g.stdout))
	return nil
}

// searchLibrary runs q on the library in dir through Library.Search (which
// opens the library's full-text index read-only, waiting for a concurrent
// import's current batch).
func searchLibrary(ctx context.Context, dir string, q fulltext.Query) (*fulltext.Result, error) {
	if !index.Exists(dir) {
		return nil, fmt.Errorf("no library at %s (create one with `elib init` or pass --library)", dir)
	}
	lib, err := index.Open(index.Options{Dir: dir, ReadOnly: true, SkipVerify: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer lib.Close()
	res, err := lib.Search(ctx, q)
	if errors.Is(err, fs.ErrNotExist) {
		return &fulltext.Result{Hits: []fulltext.Hit{}}, nil // nothing imported yet
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

func writeSearchJSON(w io.Writer, text string, res *fulltext.Result) error {
	out := fulltext.NewResponse(text, res)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return withCode(exitError, fmt.Errorf("write json: %w", err))
	}
	return nil
}

// ANSI highlight for terminals.
const (
	ansiMark  = "\x1b[1;33m"
	ansiReset = "\x1b[0m"
)

func writeSearchText(w io.Writer, text string, res *fulltext.Result, color bool) {
	what := fmt.Sprintf("%q", text)
	if text == "" {
		what = "the filter"
	}
	fmt.Fprintf(w, "%d element(s) match %s (%.1f ms)\n", res.Total, what, float64(res.Took.Microseconds())/1000)
	for i, h := range res.Hits {
		t, _ := element.ParseType(h.Type)
		fmt.Fprintf(w, "\n%2d. %s %s  %s", i+1, t.Chinese(), h.Type, h.ID)
		if h.AssetID != "" && h.AssetID != h.ID {
			fmt.Fprintf(w, "  asset %s", h.AssetID)
		}
		if h.Title != "" {
			fmt.Fprintf(w, "  《%s》", h.Title)
		}
		fmt.Fprintf(w, "  score %.3f\n", h.Score)
		frags := h.Fragments
		if len(frags) == 0 {
			frags = []string{html.EscapeString(h.Text)}
		}
		for _, f := range frags {
			fmt.Fprintf(w, "    %s\n", renderFragment(f, color))
		}
	}
	for _, name := range []string{"type", "campaign", "platform"} {
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
		fmt.Fprintf(w, "%-9s %s\n", name+":", strings.Join(parts, " · "))
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
