package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"elib/check"
	"elib/check/report"
	"elib/check/report/thumbs"
	"elib/corpus"
	"elib/element"
	"elib/fingerprint"
	"elib/history"
	"elib/index"
	"elib/internal/i18n"
	"elib/library"
	"elib/library/kit"
	"elib/pack"
	"elib/vfs"
)

// checkOptions are the flags of `elib check`.
type checkOptions struct {
	threshold   float64
	changed     string
	cross       bool
	stdinFormat string
	sample      bool
	workers     int
	fatigue     fatigueFlags
	pack        string
	// root is the folder asset ids are relative to (default: the
	// library's root folder, libraryRoot).
	root string
	// record appends the results to the library's check history.
	record bool
	// output is the file the report is written to (default stdout).
	output      string
	excludeSelf bool
	// footageThreshold rejects a video whose footage duplication is
	// strictly greater.
	footageThreshold float64
}

func newCheckCommand(g *globalOptions) *cobra.Command {
	opts := checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check new scripts against the library before publishing (exit 1 if any is rejected)",
		Long: `Check splits each input into elements, fingerprints them, looks up
candidates in the library and verifies them exactly. An asset whose
duplication (share of its countable characters found in library material,
boilerplate excluded) is strictly greater than --threshold is rejected.
A video is also rejected when the share of its frames found in library
videos (re-uploaded footage) is strictly greater than --footage-threshold.

With no library on disk (and no --library/$ELIB_LIBRARY), the embedded
sample library is used.

Exit codes: 0 all pass, 1 any rejected, 2 error.`,
		Example: `  elib check corpus/examples/repost.md
  elib check --format json drafts/
  elib check --changed origin/main --format sarif > elib.sarif
  elib check --changed=origin/main scripts/        # only changes under scripts/
  cat draft.txt | elib check -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.Context(), g, opts, args)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&opts.threshold, "threshold", check.DefaultThreshold, "reject when duplication is strictly greater than this")
	f.Float64Var(&opts.footageThreshold, "footage-threshold", check.DefaultFootageThreshold, "reject a video when the share of its frames found in library videos is strictly greater than this")
	f.StringVar(&opts.changed, "changed", "", "check the script files a git change added or modified (against REV; default HEAD); PATH arguments then limit which")
	f.Lookup("changed").NoOptDefVal = "HEAD"
	f.BoolVar(&opts.cross, "cross", false, "also check the inputs against each other")
	inputFormatFlag(cmd, &opts.stdinFormat)
	f.BoolVar(&opts.sample, "sample", false, "check against the embedded sample library even if a library exists")
	f.IntVar(&opts.workers, "workers", runtime.GOMAXPROCS(0), "parallel checks")
	f.BoolVar(&opts.excludeSelf, "exclude-self", false, "ignore the library asset with an input's own id (by default an edited published script is checked against its published version)")
	opts.fatigue.register(f)
	f.BoolVar(&opts.record, "record", false, "append the results to the library's check history (elib history)")
	f.StringVarP(&opts.output, "output", "o", "", "write the report to this file instead of stdout (--format xlsx: an Excel workbook)")
	f.StringVar(&opts.root, "root", "", "make asset ids relative to this directory, as elib import --root does (default: the folder holding the library; on PostgreSQL the current directory)")
	f.StringVar(&opts.pack, "pack", "", "check creator variants of this pack: copying its fixed elements is licensed; an unreplaced slot rejects")
	return cmd
}

// runCheck is `elib check` without cobra: read the inputs, open the
// library, check every asset, write the report.
func runCheck(ctx context.Context, g *globalOptions, opts checkOptions, args []string) error {
	if err := check.ValidThreshold(opts.threshold); err != nil {
		return withCode(exitError, i18n.Errorf("--threshold: %w", err))
	}
	if err := check.ValidThreshold(opts.footageThreshold); err != nil {
		return withCode(exitError, i18n.Errorf("--footage-threshold: %w", err))
	}
	out, ok := report.LookupFormat(g.format)
	if !ok {
		return withCode(exitError, i18n.Errorf("unknown --format %q for check (%s)", g.format, strings.Join(report.FormatNames(), ", ")))
	}
	if out.Binary && opts.output == "" && isTerminal(g.stdout) {
		return withCode(exitError, i18n.Errorf("--format %s writes a file, not text: give -o FILE (or redirect stdout)", out.Name))
	}
	if opts.record && (opts.sample || !g.libraryExists()) {
		return withCode(exitError, i18n.Errorf("--record needs a library (the embedded sample library keeps no history)"))
	}
	wd, _ := os.Getwd()
	repo := gitRoot(wd)
	paths, err := checkPaths(g, &opts, repo, wd, args)
	if err != nil {
		return withCode(exitError, err)
	}
	if paths == nil { // --changed found nothing to check
		g.printer().F(g.stderr, "elib: no changed script files to check\n")
		return report.Write(g.stdout, g.format, &report.Report{Threshold: opts.threshold, Printer: g.printer(), Zone: g.zone})
	}
	libRoot := ""
	if !opts.sample && g.libraryExists() {
		libRoot = g.libraryRoot(opts.root)
	}
	inputs, err := readInputs(ctx, paths, inputOptions{StdinFormat: opts.stdinFormat, LibRoot: libRoot, Root: repo, stdin: g.stdin, warn: warnSkipped(g.stderr, g.printer())})
	if err != nil && ctx.Err() != nil {
		return withCode(exitError, i18n.Errorf("check stopped while reading the files to check, none checked: %w", err))
	}
	if err != nil {
		return withCode(exitError, err)
	}

	loader := newEngineLoader()
	lib, libDesc, err := openCheckLibrary(ctx, g, opts, loader)
	if err != nil {
		return withCode(exitError, err)
	}
	defer lib.Close()
	engine, err := loader.Engine()
	if err != nil {
		return withCode(exitError, err)
	}

	rep := &report.Report{Threshold: opts.threshold, Library: libDesc, Version: version(),
		Color: g.format == "text" && colorEnabled(g.stdout), Printer: g.printer(), Zone: g.zone}
	jobs := checkJobs(inputs, rep)
	cacheKey := "" // the sample library is rebuilt in memory each run: no fatigue cache
	if !opts.sample && g.libraryExists() {
		cacheKey = g.libraryDir()
	}
	cc, err := newCheckRun(ctx, engine, lib, jobs, opts, cacheKey)
	if err != nil {
		return withCode(exitError, err)
	}
	defer cc.close()
	rep.Checked, rep.Checker = time.Now(), osUser()
	if err := cc.run(ctx, jobs, opts.workers, rep); err != nil {
		return withCode(exitError, err)
	}
	rep.Describe(lib)
	if g.format == "html" {
		thumbs.Attach(ctx, rep.Results, func(r *check.Result) string { return r.File }, thumbs.UnderRootOrImported(libRoot))
	}
	var recordErr error
	if opts.record {
		recordErr = recordChecks(ctx, lib, rep, rep.Checker, "cli")
	}
	err = writeCheckReportTo(g, rep, opts.output)
	if recordErr != nil {
		g.printer().F(g.stderr, "elib: %s\n", g.printer().Message(recordErr))
		return withCode(exitError, nil)
	}
	return err
}

// recordChecks appends rep's results to lib's check history.
func recordChecks(ctx context.Context, lib kit.Library, rep *report.Report, who, via string) error {
	store, ok := lib.(history.Store)
	if !ok {
		return i18n.Errorf("record: this library keeps no check history")
	}
	if err := store.AppendHistory(ctx, rep.HistoryEntries(who, via)); err != nil {
		return i18n.Errorf("record: %w", err)
	}
	return nil
}

// osUser names who runs the command: $ELIB_USER, else the OS user.
func osUser() string {
	if u := os.Getenv("ELIB_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// checkPaths returns the paths to check: the arguments, or with --changed
// the script files a git change touched (nil when there are none),
// limited to the folders given as arguments.
func checkPaths(g *globalOptions, opts *checkOptions, repo, wd string, args []string) ([]string, error) {
	if opts.changed == "" {
		if len(args) == 0 {
			return nil, i18n.Errorf("nothing to check: give files, directories, '-' or --changed")
		}
		return args, nil
	}
	if repo == "" {
		return nil, i18n.Errorf("--changed: %s is not inside a git repository", wd)
	}
	// `--changed REV` (with a space) reaches us as --changed=HEAD plus an
	// argument REV: take a first argument that is no file but a commit as
	// the revision.
	if opts.changed == "HEAD" && len(args) > 0 && isRevision(repo, args[0]) {
		if _, err := os.Stat(args[0]); err != nil {
			opts.changed, args = args[0], args[1:]
		}
	}
	// With --changed, PATH arguments limit which changed files count.
	var limit []string
	for _, a := range args {
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, i18n.Errorf("--changed: %w", err)
		}
		rel, err := filepath.Rel(repo, abs)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, i18n.Errorf("--changed: %s is outside the repository %s", a, repo)
		}
		limit = append(limit, filepath.ToSlash(rel))
	}
	files, err := changedFiles(repo, opts.changed, limit)
	if err != nil {
		return nil, i18n.Errorf("--changed: %w", err)
	}
	var paths []string
	for _, f := range files {
		if rel, err := filepath.Rel(wd, f); err == nil {
			f = rel
		}
		paths = append(paths, f)
	}
	return paths, nil
}

// checkJob is one asset to check and the input it came from.
type checkJob struct {
	file  string
	asset *element.Asset
}

// checkJobs lists the assets of the inputs and records the inputs that
// failed to parse in rep.
func checkJobs(inputs []parsedInput, rep *report.Report) []checkJob {
	var jobs []checkJob
	for _, in := range inputs {
		if in.Err != nil {
			rep.Errors = append(rep.Errors, report.NewFileError(in.File, in.Err))
		}
		for i := range in.Assets {
			jobs = append(jobs, checkJob{in.File, &in.Assets[i]})
		}
	}
	return jobs
}

// checkRun is the check session of one `elib check`.
type checkRun struct {
	session *check.Session
	close   func()
}

// newCheckRun builds the session: the library, plus the batch itself with
// --cross; a pack's fixed elements licensed and its slot rule with
// --pack; the fatigue of the library (cached under fatigueKey, none when
// empty) for warnings.
func newCheckRun(ctx context.Context, engine *fingerprint.Engine, lib kit.Library, jobs []checkJob, opts checkOptions, fatigueKey string) (*checkRun, error) {
	cr := &checkRun{close: func() {}}
	sources := []check.Source{lib}
	if opts.cross && len(jobs) > 1 {
		batch := make([]element.Asset, len(jobs))
		for i, j := range jobs {
			batch[i] = *j.asset
		}
		mem, err := index.Memory(ctx, engine, batch)
		if err != nil {
			return nil, i18n.Errorf("--cross: %w", err)
		}
		cr.close = func() { mem.Close() }
		sources = append(sources, mem)
	}
	sopts := check.SessionOptions{Threshold: opts.threshold, FootageThreshold: opts.footageThreshold}
	if opts.pack != "" {
		p, err := lib.Pack(opts.pack)
		if err != nil {
			cr.close()
			return nil, i18n.Errorf("--pack: %w (see elib pack list)", err)
		}
		sopts.Variant = pack.Variant(p)
	}
	fatigue, err := opts.fatigue.current(ctx, engine, lib, opts.threshold, fatigueKey)
	if err != nil {
		cr.close()
		return nil, err
	}
	if fatigue != nil {
		sopts.Warner = fatigue
	}
	copts := check.Options{ExcludeSelf: opts.excludeSelf, BatchSources: len(sources) - 1}
	if cr.session, err = check.NewSession(engine, copts, sopts, sources...); err != nil {
		cr.close()
		return nil, i18n.Errorf("--threshold: %w", err)
	}
	return cr, nil
}

// run checks the jobs on workers goroutines and adds results and per-file
// errors to rep. It fails as a whole when the library could not be read
// (check.ErrLibraryUnavailable: a database restart): such verdicts are
// not to be trusted.
func (cr *checkRun) run(ctx context.Context, jobs []checkJob, workers int, rep *report.Report) error {
	results := make([]*check.Result, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = cr.session.Check(ctx, jobs[i].file, jobs[i].asset)
			}
		}()
	}
	handed := 0
hand:
	for ; handed < len(jobs); handed++ {
		select {
		case next <- handed:
		case <-ctx.Done():
			break hand
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		// Interrupted: one error for the run, not one per file left.
		return i18n.Errorf("check stopped after %d of %d files, no report written: %w", min(handed, len(jobs)), len(jobs), err)
	}
	for _, err := range errs {
		if errors.Is(err, check.ErrLibraryUnavailable) {
			return i18n.Errorf("check: reading the library failed: %w", err)
		}
	}
	for i, r := range results {
		if errs[i] != nil {
			rep.Errors = append(rep.Errors, report.NewFileError(jobs[i].file, errs[i]))
			continue
		}
		rep.Results = append(rep.Results, r)
	}
	return nil
}

// writeCheckReportTo writes rep in the chosen format, to the file output
// (atomically: a temporary file renamed into place) when it is not empty,
// and returns the exit status: 2 when an input failed, 1 when one was
// rejected.
func writeCheckReportTo(g *globalOptions, rep *report.Report, output string) error {
	if output == "" || output == "-" {
		if err := report.Write(g.stdout, g.format, rep); err != nil {
			return withCode(exitError, err)
		}
	} else if err := vfs.Write(vfs.OS, output, func(w io.Writer) error { return report.Write(w, g.format, rep) }); err != nil {
		return withCode(exitError, i18n.Errorf("write %s: %w", output, err))
	}
	if g.format != "text" {
		for _, e := range rep.Errors {
			g.printer().F(g.stderr, "elib: %s\n", e.In(g.printer()).String())
		}
	}
	switch {
	case len(rep.Errors) > 0:
		return withCode(exitError, nil)
	case rep.Rejected() > 0:
		return withCode(exitRejected, nil)
	}
	return nil
}

// openCheckLibrary opens the library on disk, or builds the embedded sample
// library in memory when there is none and none was asked for.
func openCheckLibrary(ctx context.Context, g *globalOptions, opts checkOptions, loader *engineLoader) (kit.Library, string, error) {
	dir := g.libraryDir()
	if !opts.sample && g.libraryExists() {
		lib, err := library.Open(ctx, dir, library.Options{ReadOnly: true, File: index.Options{SkipVerify: true}}) // blocks are verified as they are read
		if err != nil {
			return nil, "", err
		}
		n, err := lib.AssetCount()
		if err != nil {
			lib.Close()
			return nil, "", err
		}
		return lib, g.printer().T("%s (%d assets)", library.Describe(dir), n), nil
	}
	if !opts.sample && g.libraryExplicit() {
		return nil, "", i18n.Errorf("no library at %s (create one with `elib init` and `elib import`)", dir)
	}
	engine, err := loader.Engine()
	if err != nil {
		return nil, "", err
	}
	lib, n, err := sampleLibrary(ctx, engine)
	if err != nil {
		return nil, "", err
	}
	assets, err := lib.AssetCount()
	if err != nil {
		return nil, "", err
	}
	desc := g.printer().T("embedded sample library (%d assets, %d elements)", assets, n)
	if !opts.sample {
		g.printer().F(g.stderr, "elib: no library at %s — checking against the %s\n", dir, desc)
	}
	return lib, desc, nil
}

// sampleLibrary builds the embedded sample library in memory.
func sampleLibrary(ctx context.Context, engine *fingerprint.Engine) (*index.Library, int, error) {
	assets, err := corpus.SampleAssets()
	if err != nil {
		return nil, 0, i18n.Errorf("embedded sample library: %w", err)
	}
	variants, err := corpus.CreatorVariants()
	if err != nil {
		return nil, 0, i18n.Errorf("embedded sample library: %w", err)
	}
	assets = append(assets, variants...)
	lib, err := index.Memory(ctx, engine, assets)
	if err != nil {
		return nil, 0, i18n.Errorf("embedded sample library: %w", err)
	}
	if err := lib.AllowlistAdd(corpus.Allowlist()...); err != nil {
		return nil, 0, i18n.Errorf("embedded sample library allowlist: %w", err)
	}
	if err := addSamplePacks(lib); err != nil {
		return nil, 0, i18n.Errorf("embedded sample library packs: %w", err)
	}
	n := 0
	for _, a := range assets {
		n += len(a.Elements)
	}
	return lib, n, nil
}
