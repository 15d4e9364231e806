package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"elib/api"
	"elib/check/report"
	"elib/element"
	"elib/index"
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
}

func newImportCommand(g *globalOptions) *cobra.Command {
	opts := importOptions{}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Ingest files or directories into the library",
		Long: `Import parses scripts (.txt .md), subtitles (.srt .vtt), JSON (.json .jsonl)
and table exports (.csv .tsv), fingerprints every element and stores it in the
library. Directories are read recursively; asset ids are paths relative to the
directory argument (or the explicit id in JSON/CSV), so importing the same
file again replaces its asset instead of duplicating it.

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
	f.StringVar(&opts.root, "root", "", "make asset ids relative to this directory")
	f.StringVar(&opts.parseAs, "parse-as", "", "parse every input as this format instead of detecting it by extension")
	f.IntVar(&opts.batch, "batch", 2000, "elements per durable batch")
	f.IntVar(&opts.workers, "workers", 0, "fingerprinting goroutines (default: number of CPUs)")
	f.BoolVar(&opts.noFulltext, "no-search-index", false, "do not update the full-text search index (elib reindex rebuilds it)")
	f.BoolVar(&opts.noProgress, "no-progress", false, "never show a progress bar")
	return cmd
}

// pendingFile is a parsed file waiting for its batch to commit.
type pendingFile struct {
	path     string
	assets   int
	elements int
}

// runImport is `elib import` without cobra.
func runImport(ctx context.Context, g *globalOptions, opts importOptions, args []string) error {
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, fmt.Errorf("unknown --format %q for import (text, json)", g.format))
	}
	if opts.batch <= 0 {
		opts.batch = 2000
	}
	if !g.libraryExists() {
		return withCode(exitError, fmt.Errorf("no library at %s (create one with `elib init` or pass --library)", g.libraryDir()))
	}
	type input struct{ path, root string }
	var inputs []input
	rep := api.Import{IDs: []string{}, Errors: []report.FileError{}}
	fail := func(file string, err error) {
		rep.Errors = append(rep.Errors, report.NewFileError(file, err))
		fmt.Fprintf(g.stderr, "elib: %v\n", err)
	}
	for _, arg := range args {
		if arg == "-" {
			fail("-", errors.New("import reads files, not stdin"))
			continue
		}
		root := opts.root
		if root == "" {
			root = defaultSplitRoot(arg)
		}
		err := element.WalkReport([]string{arg}, func(path string) error {
			inputs = append(inputs, input{path, root})
			return nil
		}, warnSkipped(g.stderr))
		if err != nil {
			fail(arg, err)
		}
	}

	loader := newEngineLoader()
	engine, err := loader.Engine()
	if err != nil {
		return withCode(exitError, fmt.Errorf("import: %w", err))
	}
	lib, err := openLibrary(g, index.Options{Engine: engine, Workers: opts.workers, NoFulltext: opts.noFulltext, SkipVerify: true})
	if err != nil {
		return err
	}
	defer lib.Close()

	var bar *progressbar.ProgressBar
	if !opts.noProgress && g.format == "text" && isTerminal(g.stderr) && len(inputs) > 1 {
		bar = progressbar.NewOptions(len(inputs), progressbar.OptionSetWriter(g.stderr),
			progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
			progressbar.OptionEnableColorCodes(colorEnabled(g.stderr)), progressbar.OptionClearOnFinish())
	}
	var (
		batch    []element.Asset
		files    []pendingFile
		elements int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := lib.Import(ctx, batch)
		if err != nil {
			return err
		}
		rep.Imported += res.Assets
		rep.Elements += res.Elements
		rep.Replaced += res.Replaced
		for _, a := range batch {
			rep.IDs = append(rep.IDs, a.ID)
		}
		for _, f := range files {
			rep.Files++
			if g.format == "text" {
				if bar != nil {
					bar.Clear()
				}
				fmt.Fprintf(g.stdout, "imported %s (%d assets, %d elements)\n", f.path, f.assets, f.elements)
			}
		}
		batch, files, elements = batch[:0], files[:0], 0
		return nil
	}
	po := element.ParseOptions{Format: opts.parseAs, Verbs: engine.Segmenter()}
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return withCode(exitError, fmt.Errorf("import: %w", err))
		}
		po.Root = in.root
		assets, err := element.ParseFile(in.path, po)
		if bar != nil {
			bar.Add(1)
		}
		if err == nil {
			for i := range assets {
				if verr := assets[i].Validate(); verr != nil {
					err = &element.ParseError{File: in.path, Err: verr}
					break
				}
			}
		}
		if err != nil {
			fail(in.path, err)
			continue
		}
		// Remember where each asset came from, so that checking the same
		// file later is recognised as the asset itself whatever its id.
		if abs, aerr := filepath.Abs(in.path); aerr == nil {
			for i := range assets {
				assets[i].File = abs
			}
		}
		pf := pendingFile{path: in.path, assets: len(assets)}
		for _, a := range assets {
			pf.elements += len(a.Elements)
		}
		batch = append(batch, assets...)
		files = append(files, pf)
		elements += pf.elements
		if elements >= opts.batch {
			if err := flush(); err != nil {
				return withCode(exitError, err)
			}
		}
	}
	if err := flush(); err != nil {
		return withCode(exitError, err)
	}
	if bar != nil {
		bar.Finish()
	}
	if g.format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return withCode(exitError, fmt.Errorf("write json: %w", err))
		}
	} else {
		fmt.Fprintf(g.stdout, "imported %d assets (%d elements, %d replaced) into %s\n", rep.Imported, rep.Elements, rep.Replaced, g.libraryDesc())
	}
	if len(rep.Errors) > 0 {
		return withCode(exitError, fmt.Errorf("import: %d inputs failed", len(rep.Errors)))
	}
	return nil
}
