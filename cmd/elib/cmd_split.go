package main

import (
	"context"
	"elib/check/report"
	"elib/internal/i18n"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"elib/api"
	"elib/element"
	"elib/fingerprint/wordseg"
)

// splitOptions are the flags of `elib split`.
type splitOptions struct {
	// inputFormat names the format of stdin ("-"); default txt.
	inputFormat string
	// format overrides detection by extension for every input.
	forceFormat string
	// root makes asset ids relative to it; default: the directory argument
	// a file was found in, else the current directory.
	root string
	// noVerbs skips copy verbs, and so the ~1 s tokenizer load.
	noVerbs bool
	// verbs tags copy verbs (nil with noVerbs).
	verbs element.VerbTagger
}

func newSplitCommand(g *globalOptions) *cobra.Command {
	opts := splitOptions{}
	cmd := &cobra.Command{
		Use:   "split PATH...",
		Short: "Show how inputs split into elements (needs no library)",
		Long: `Split parses scripts (.txt .md), subtitles (.srt .vtt), JSON (.json .jsonl)
and table exports (.csv .tsv) and prints every asset's elements: type
(钩子 hook, 冲突 conflict, 证言 testimonial, 转化 conversion, 故事 story,
其他 other), time range, attributes and copy text. Directories are read
recursively; "-" reads stdin (see --input-format).

Bad inputs are reported on stderr as file:line: message; the other inputs are
still split. Exit codes: 0 ok, 2 any input failed.`,
		Example: `  elib split script.md
  elib split --format json library/
  cat draft.txt | elib split -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSplit(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	inputFormatFlag(cmd, &opts.inputFormat)
	f.StringVar(&opts.forceFormat, "parse-as", "", "parse every input as this format instead of detecting it by extension")
	f.StringVar(&opts.root, "root", "", "make asset ids relative to this directory")
	f.BoolVar(&opts.noVerbs, "no-verbs", false, "do not tag copy verbs (skips loading the tokenizer)")
	return cmd
}

// runSplit is `elib split` without cobra.
func runSplit(ctx context.Context, g *globalOptions, opts splitOptions, args []string) error {
	if !opts.noVerbs && opts.verbs == nil {
		seg, err := wordseg.Default()
		if err != nil {
			return withCode(exitError, i18n.Errorf("split: copy verbs: %w", err))
		}
		opts.verbs = seg
	}
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, i18n.Errorf("unknown --format %q for split (text, json)", g.format))
	}
	if len(args) == 0 {
		return withCode(exitError, i18n.Errorf("split: no input (give files, directories or - for stdin)"))
	}
	var (
		files   []api.SplitFile
		failed  int
		skipped int
	)
	warn := warnSkipped(g.stderr, g.printer())
	countSkipped := func(path string, reason error) {
		skipped++
		warn(path, reason)
	}
	for _, arg := range args {
		root := opts.root
		if root == "" {
			root = defaultSplitRoot(arg)
		}
		err := element.WalkReport([]string{arg}, func(path string) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			assets, err := splitOne(ctx, g, opts, root, path)
			sf := api.NewSplitFile(path, assets, err)
			if err != nil {
				failed++
				g.printer().F(g.stderr, "elib: %s\n", g.printer().Message(err))
			}
			files = append(files, sf)
			if g.format == "text" {
				writeSplitText(g.stdout, g.printer(), sf, err)
			}
			return nil
		}, countSkipped)
		if err != nil {
			if ctx.Err() != nil {
				return withCode(exitError, i18n.Errorf("split: %w", ctx.Err()))
			}
			failed++
			files = append(files, api.NewSplitFile(arg, nil, err))
			g.printer().F(g.stderr, "elib: %s\n", g.printer().Message(err))
		}
	}
	if g.format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if files == nil {
			files = []api.SplitFile{}
		}
		if err := enc.Encode(api.Split{Files: files}); err != nil {
			return withCode(exitError, i18n.Errorf("write json: %w", err))
		}
	}
	if failed > 0 {
		return withCode(exitError, i18n.Errorf("split: %d of %d inputs failed", failed, len(files)))
	}
	if len(files) == 0 && skipped > 0 {
		// A draft folder whose timeline is a named pipe, a folder of
		// symbolic links: nothing was read, which is not a success.
		return withCode(exitError, i18n.Errorf("split: nothing read: the %d supported entries found were skipped (see above)", skipped))
	}
	return nil
}

// splitOne parses one path ("-" is stdin).
func splitOne(ctx context.Context, g *globalOptions, opts splitOptions, root, path string) ([]element.Asset, error) {
	po := element.ParseOptions{Format: opts.forceFormat, Root: root, Verbs: opts.verbs, Context: ctx}
	if path == "-" {
		data, err := readStdin(ctx, g.stdin, element.DefaultMaxBytes)
		if err != nil {
			return nil, err
		}
		if po.Format == "" {
			po.Format = opts.inputFormat
		}
		if po.Format == "" {
			po.Format = element.FormatScript
		}
		po.ID = "stdin"
		return element.Parse("-", data, po)
	}
	return element.ParseFile(path, po)
}

// defaultSplitRoot: ids of files found under a directory argument are
// relative to it; a file argument is relative to the current directory
// when inside it.
func defaultSplitRoot(arg string) string {
	if arg == "-" {
		return ""
	}
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return arg
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return ""
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return wd
	}
	return ""
}

// writeSplitText prints one file in the human format, in tr's language;
// err is the file's error, if any.
func writeSplitText(w io.Writer, tr *i18n.Printer, sf api.SplitFile, err error) {
	fmt.Fprintf(w, "== %s\n", sf.File)
	if sf.Error != "" {
		msg := sf.Error
		if err != nil {
			msg = report.NewFileError(sf.File, err).In(tr).Error
		}
		tr.F(w, "   error: %s\n\n", msg)
		return
	}
	for _, a := range sf.Assets {
		if a.Title != "" {
			tr.F(w, "asset %s  《%s》  %d elements\n", a.ID, a.Title, len(a.Elements))
		} else {
			tr.F(w, "asset %s  %d elements\n", a.ID, len(a.Elements))
		}
		if len(a.Meta) > 0 {
			tr.F(w, "  meta: %s\n", formatAttrs(a.Meta))
		}
		for i, e := range a.Elements {
			tr.F(w, "  [%d] %s %-11s chars %d-%d", i+1, e.Type.Chinese(), e.Type, e.Start, e.End)
			if e.StartMs != nil && e.EndMs != nil {
				fmt.Fprintf(w, "  %s-%s", formatMs(*e.StartMs), formatMs(*e.EndMs))
			}
			if e.Line > 0 {
				tr.F(w, "  line %d", e.Line)
			}
			fmt.Fprintln(w)
			if len(e.Attributes) > 0 {
				tr.F(w, "      attributes: %s\n", formatAttrs(e.Attributes))
			}
			for _, l := range strings.Split(e.Text, "\n") {
				fmt.Fprintf(w, "      %s\n", l)
			}
		}
	}
	fmt.Fprintln(w)
}

func formatMs(ms int64) string {
	if ms%1000 == 0 {
		return fmt.Sprintf("%ds", ms/1000)
	}
	return fmt.Sprintf("%.1fs", float64(ms)/1000)
}

func formatAttrs(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := m[k]
		if list, ok := v.([]string); ok {
			v = strings.Join(list, "、")
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	return strings.Join(parts, "  ")
}
