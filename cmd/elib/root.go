package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"elib/fingerprint/wordseg"
	"elib/internal/i18n"
	"elib/library"
)

// Exit codes of SPEC §3.
const (
	exitOK       = 0
	exitRejected = 1
	exitError    = 2
)

// globalOptions are the flags every command shares.
type globalOptions struct {
	library string
	format  string
	verbose bool
	dictDir string
	stdout  io.Writer
	stderr  io.Writer
	stdin   io.Reader
	// media are the limits of untrusted media (media.go).
	media mediaFlags
	// lang is --lang; msg prints messages in the language it or the
	// locale picks (see i18n.Detect). tz is --tz; zone the time zone
	// text output shows times in.
	lang string
	msg  *i18n.Printer
	tz   string
	zone *time.Location
	// cpuprofile is the hidden --cpuprofile: a CPU profile of the
	// command is written there (measurements; stopProfile ends it).
	cpuprofile  string
	stopProfile func()
}

// DefaultTZ is the time zone of --tz: the team's.
const DefaultTZ = "Asia/Shanghai"

// printer is the commands' message printer: the one --lang and the locale
// picked, or the locale's when the flags were never parsed (a usage error).
func (g *globalOptions) printer() *i18n.Printer {
	if g.msg == nil {
		tag, _ := i18n.Detect("", os.Getenv)
		g.msg = i18n.New(tag)
	}
	return g.msg
}

// setLocale applies --lang and the time zone: --tz, else the library's
// own (elib init --tz), else DefaultTZ.
func (g *globalOptions) setLocale() error {
	tag, err := i18n.Detect(g.lang, os.Getenv)
	g.msg = i18n.New(tag)
	if err != nil {
		return err
	}
	name := g.tz
	if name == "" {
		name = g.libraryZone()
	}
	if name == "" {
		name = DefaultTZ
	}
	if g.zone, err = time.LoadLocation(name); err != nil {
		switch {
		case g.tz != "":
			return i18n.Errorf("--tz %q: not a time zone (Asia/Shanghai, UTC, …)", g.tz)
		case name != DefaultTZ:
			return i18n.Errorf("the library's time zone %q is not one this machine knows (set another with elib init --tz, or pass --tz)", name)
		}
		g.zone = time.FixedZone("CST", 8*3600) // no tzdata: Shanghai's fixed offset
	}
	return nil
}

// libraryZone is the time zone stored with the --library library ("" when
// there is none, or it cannot be read now: the command itself then says
// what is wrong with the library).
func (g *globalOptions) libraryZone() string {
	if !g.libraryExists() {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	set, err := library.ReadSettings(ctx, g.libraryDir())
	if err != nil {
		return ""
	}
	return set.TimeZone
}

// zoneOr is the --tz zone, or def before the flags were applied.
func (g *globalOptions) zoneOr(def *time.Location) *time.Location {
	if g.zone == nil {
		return def
	}
	return g.zone
}

// localTime shows an RFC 3339 time in the --tz zone
// (2026-11-03T11:30:00+08:00); other text is returned as it is.
func (g *globalOptions) localTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || g.zone == nil {
		return s
	}
	return t.In(g.zone).Format(time.RFC3339)
}

// exitError carries an exit code out of a command's RunE.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitCodeError) Unwrap() error { return e.err }

// unwrapExitCode is the error inside err's exit code, or err.
func unwrapExitCode(err error) error {
	var ce *exitCodeError
	if errors.As(err, &ce) && ce.err != nil {
		return ce.err
	}
	return err
}

// withCode wraps err so that Execute exits with code. A nil err with a
// non-zero code is a silent exit (the command already reported).
func withCode(code int, err error) error {
	return &exitCodeError{code: code, err: err}
}

// libraryDir resolves --library, then $ELIB_LIBRARY, then ./.elib.
func (g *globalOptions) libraryDir() string {
	if g.library != "" {
		return g.library
	}
	if env := os.Getenv("ELIB_LIBRARY"); env != "" {
		return env
	}
	return ".elib"
}

// libraryExplicit reports whether the user named a library.
func (g *globalOptions) libraryExplicit() bool {
	return g.library != "" || os.Getenv("ELIB_LIBRARY") != ""
}

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "elib",
		Short: "Content element library and similarity-fingerprint check for short-video scripts",
		Long: `elib keeps a library of reusable short-video script elements (钩子 hook,
冲突 conflict, 证言 testimonial, 转化 conversion, 故事 story) and checks new
scripts against it before they are published: material whose duplication is
higher than 62 % is rejected.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := g.setLocale(); err != nil {
				return withCode(exitError, err)
			}
			level := slog.LevelWarn
			if g.verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level})))
			if err := g.startProfile(); err != nil {
				return withCode(exitError, err)
			}
			if err := g.media.apply(); err != nil {
				return withCode(exitError, err)
			}
			if g.dictDir != "" {
				if err := wordseg.ConfigureDefault(wordseg.Options{DictDir: g.dictDir}); err != nil {
					return withCode(exitError, i18n.Errorf("--dict-dir: %w", err))
				}
			}
			return nil
		},
	}
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	root.SetIn(g.stdin)
	pf := root.PersistentFlags()
	pf.StringVar(&g.library, "library", "", "library directory (default $ELIB_LIBRARY, else ./.elib)")
	formatFlag(root, &g.format)
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log debug details to stderr")
	pf.StringVar(&g.lang, "lang", "", "language of messages and tables: zh or en (default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh, else en)")
	pf.StringVar(&g.tz, "tz", "", "time zone text output shows times in (default: the library's, set with elib init --tz; else "+DefaultTZ+")")
	pf.StringVar(&g.cpuprofile, "cpuprofile", "", "write a CPU profile of the command to this file")
	_ = pf.MarkHidden("cpuprofile")
	addMediaFlags(pf, &g.media)
	pf.StringVar(&g.dictDir, "dict-dir", "", "gojieba dictionary directory to use instead of the embedded one (default $"+wordseg.DictDirEnv+")")
	root.AddCommand(
		newInitCommand(g),
		newImportCommand(g),
		newSplitCommand(g),
		newCheckCommand(g),
		newSearchCommand(g),
		newRemoveCommand(g),
		newReindexCommand(g),
		newStatsCommand(g),
		newAllowlistCommand(g),
		newPackCommand(g),
		newMigrateCommand(g),
		newHookCommand(g),
		newServeCommand(g),
		newHistoryCommand(g),
	)
	return root
}

// startProfile starts the CPU profile --cpuprofile asks for.
func (g *globalOptions) startProfile() error {
	if g.cpuprofile == "" {
		return nil
	}
	f, err := os.Create(g.cpuprofile)
	if err != nil {
		return i18n.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return i18n.Errorf("--cpuprofile: %w", err)
	}
	g.stopProfile = func() {
		pprof.StopCPUProfile()
		f.Close()
	}
	return nil
}

// Execute runs elib with args and returns the process exit code.
func Execute(args []string) int {
	return execute(context.Background(), args, os.Stdin, os.Stdout, os.Stderr)
}

func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &globalOptions{stdout: stdout, stderr: stderr, stdin: stdin}
	root := newRootCommand(g)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if g.stopProfile != nil {
		g.stopProfile()
	}
	if err == nil {
		return exitOK
	}
	p := g.printer()
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// A signal stopped the command: say so once, whatever it was
		// doing (the error names what was left undone).
		p.F(stderr, "elib: interrupted: %s\n", p.Message(unwrapExitCode(err)))
		return exitError
	}
	var ce *exitCodeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			p.F(stderr, "elib: %s\n", p.Message(ce.err))
		}
		return ce.code
	}
	p.F(stderr, "elib: %s\n", p.Message(err))
	return exitError
}
