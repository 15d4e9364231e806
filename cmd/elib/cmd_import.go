package main

import (
	"context"
	"elib/internal/i18n"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"elib/api"
	"elib/check/report"
	"elib/element"
	"elib/index"
	"elib/library"
)

// importOptions are the flags of `elib import`.
type importOptions struct {
	// root makes asset ids relative to it; default: the directory argument
	// a file was found in (a file argument: the current directory).
	root string
	// parseAs overrides format detection by extension.
	parseAs string
	// batch is the number of elements per durable import batch.
	batch int
	// workers is the number of fingerprinting goroutines.
	workers int
	// noFulltext skips updating the search index.
	noFulltext bool
	// noProgress hides the progress bar.
	noProgress bool
	// laterOutcomes leaves the new assets' check outcomes to the next
	// stats instead of computing them at import.
	laterOutcomes bool
}

func newImportCommand(g *globalOptions) *cobra.Command {
	opts := importOptions{}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Ingest files or directories into the library",
		Long: `Import parses scripts (.txt .md), subtitles (.srt .vtt), JSON (.json .jsonl)
and table exports (.csv .tsv), fingerprints every element and stores it in the
library. Directories are read recursively; asset ids are paths relative to the
library's root folder — the folder holding the library directory, or
--root; on PostgreSQL the current directory — whatever argument named the
file (or the explicit id in JSON/CSV), so importing the same file again,
alone or in its folder, replaces its asset instead of duplicating it.

Files are committed in batches; each "imported FILE" line is printed once the
batch holding that file is durable. Bad files are reported on stderr as
file:line: message and the good ones are still imported.
Exit codes: 0 ok, 2 any input failed or the library could not be written.`,
		Example: `  elib import library/
  elib import --format json scripts/*.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.root, "root", "", "make asset ids relative to this directory (default: the folder holding the library; on PostgreSQL the current directory)")
	f.StringVar(&opts.parseAs, "parse-as", "", "parse every input as this format instead of detecting it by extension")
	f.IntVar(&opts.batch, "batch", 0, "elements per durable batch (default 2000; 20000 on PostgreSQL, where bigger transactions store faster)")
	f.IntVar(&opts.workers, "workers", 0, "fingerprinting goroutines (default: number of CPUs)")
	f.BoolVar(&opts.noFulltext, "no-search-index", false, "do not update the full-text search index (elib reindex rebuilds it)")
	f.BoolVar(&opts.noProgress, "no-progress", false, "never show a progress bar")
	f.BoolVar(&opts.laterOutcomes, "outcomes-later", false, "do not judge the new assets against the library now (a check each, most of an import's time): the next elib stats, dashboard or fatigue warning does it once")
	return cmd
}

// runImport is `elib import` without cobra: list the input files, parse
// each and import them in durable batches, then report.
func runImport(ctx context.Context, g *globalOptions, opts importOptions, args []string) error {
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, i18n.Errorf("unknown --format %q for import (text, json)", g.format))
	}
	if !g.libraryExists() {
		return withCode(exitError, i18n.Errorf("no library at %s (create one with `elib init` or pass --library)", g.libraryDir()))
	}
	rep := api.Import{IDs: []string{}, Errors: []report.FileError{}}
	fail := func(file string, err error) {
		rep.Errors = append(rep.Errors, report.NewFileError(file, err))
		g.printer().F(g.stderr, "elib: %s\n", g.printer().Message(err))
	}
	inputs := importInputs(g, opts, args, fail)

	engine, err := newEngineLoader().Engine()
	if err != nil {
		return withCode(exitError, i18n.Errorf("import: %w", err))
	}
	lib, err := openLibrary(g, index.Options{Engine: engine, Workers: opts.workers, NoFulltext: opts.noFulltext, SkipVerify: true})
	if err != nil {
		return err
	}
	defer lib.Close()

	if opts.batch <= 0 {
		opts.batch = library.DefaultBatchElements(g.libraryDir())
	}
	bar := importProgress(g, opts, len(inputs))
	batcher := library.NewBatcher(lib, opts.batch, func(input string, assets, elements int) {
		rep.Files++
		if g.format == "text" {
			if bar != nil {
				bar.Clear()
			}
			g.printer().F(g.stdout, "imported %s (%d assets, %d elements)\n", input, assets, elements)
		}
	})
	storeOutcomes(batcher, engine, lib, !opts.laterOutcomes)
	defer batcher.Wait() // a batch still being stored when the import gives up
	po := element.ParseOptions{Format: opts.parseAs, Verbs: engine.Segmenter(), Context: ctx}
	// stopped is the one error of an import a signal interrupted.
	stopped := func(done int, err error) error {
		return withCode(exitError, i18n.Errorf("import stopped after %d of %d files; the batches stored so far stay (importing the same files again replaces them): %w", done, len(inputs), err))
	}
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			return stopped(i, err)
		}
		assets, err := parseForImport(in, po)
		if bar != nil {
			bar.Add(1)
		}
		if err != nil && ctx.Err() != nil {
			return stopped(i, ctx.Err())
		}
		if err != nil {
			fail(in.path, err)
			continue
		}
		if err := batcher.Add(ctx, in.path, assets); err != nil {
			if ctx.Err() != nil {
				return stopped(i, err)
			}
			return withCode(exitError, err)
		}
	}
	if err := batcher.Flush(ctx); err != nil {
		if ctx.Err() != nil {
			return stopped(len(inputs), err)
		}
		return withCode(exitError, err)
	}
	if err := ctx.Err(); err != nil {
		// Everything is stored; the search index, stopped, catches up at
		// the next import or reindex.
		return stopped(len(inputs), err)
	}
	if bar != nil {
		bar.Finish()
	}
	rep.Imported, rep.Elements, rep.Replaced = batcher.Result.Assets, batcher.Result.Elements, batcher.Result.Replaced
	rep.IDs = append(rep.IDs, batcher.IDs...)
	return writeImportReport(g, rep)
}

// importInput is one file to import and the root its asset ids are
// relative to.
type importInput struct{ path, root string }

// importInputs walks the arguments into the files to import; what cannot
// be read goes to fail.
func importInputs(g *globalOptions, opts importOptions, args []string, fail func(string, error)) []importInput {
	var inputs []importInput
	for _, arg := range args {
		if arg == "-" {
			fail("-", i18n.Errorf("import reads files, not stdin"))
			continue
		}
		err := element.WalkReport([]string{arg}, func(path string) error {
			inputs = append(inputs, importInput{path, importRoot(g, opts, arg, path)})
			return nil
		}, warnSkipped(g.stderr, g.printer()))
		if err != nil {
			fail(arg, err)
		}
	}
	return inputs
}

// importRoot is the folder the asset id of path (found under argument
// arg) is relative to: --root, else the library's root folder
// (libraryRoot), else the current directory, whatever argument named the
// file — so `import drafts/x.md` and `import drafts/` give one asset. A
// file outside all of them keeps the old rule: relative to the directory
// argument it was found in.
func importRoot(g *globalOptions, opts importOptions, arg, path string) string {
	if opts.root != "" {
		return opts.root
	}
	if root := g.libraryRoot(""); within(root, path) {
		return root
	}
	if wd, err := os.Getwd(); err == nil && within(wd, path) {
		return wd
	}
	return defaultSplitRoot(arg)
}

// importProgress is the progress bar of a long import on a terminal (nil
// otherwise).
func importProgress(g *globalOptions, opts importOptions, inputs int) *progressbar.ProgressBar {
	if opts.noProgress || g.format != "text" || !isTerminal(g.stderr) || inputs <= 1 {
		return nil
	}
	return progressbar.NewOptions(inputs, progressbar.OptionSetWriter(g.stderr),
		progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
		progressbar.OptionEnableColorCodes(colorEnabled(g.stderr)), progressbar.OptionClearOnFinish())
}

// parseForImport parses one file and validates its assets; each asset
// remembers the file it came from, so that checking the same file later
// is recognised as the asset itself whatever its id.
func parseForImport(in importInput, po element.ParseOptions) ([]element.Asset, error) {
	po.Root = in.root
	assets, err := element.ParseFile(in.path, po)
	if err != nil {
		return nil, err
	}
	for i := range assets {
		if err := assets[i].Validate(); err != nil {
			return nil, &element.ParseError{File: in.path, Err: err}
		}
	}
	if abs, err := filepath.Abs(in.path); err == nil {
		for i := range assets {
			assets[i].File = abs
		}
	}
	return assets, nil
}

// writeImportReport prints the import's summary or JSON; exit status 2
// when an input failed (the others are imported).
func writeImportReport(g *globalOptions, rep api.Import) error {
	if g.format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return withCode(exitError, i18n.Errorf("write json: %w", err))
		}
	} else {
		g.printer().F(g.stdout, "imported %d assets (%d elements, %d replaced) into %s\n", rep.Imported, rep.Elements, rep.Replaced, g.libraryDesc())
	}
	if len(rep.Errors) > 0 {
		return withCode(exitError, i18n.Errorf("import: %d inputs failed", len(rep.Errors)))
	}
	return nil
}
