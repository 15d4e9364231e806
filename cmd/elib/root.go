package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"elib/fingerprint/wordseg"
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
			level := slog.LevelWarn
			if g.verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level})))
			if err := g.media.apply(); err != nil {
				return withCode(exitError, err)
			}
			if g.dictDir != "" {
				if err := wordseg.ConfigureDefault(wordseg.Options{DictDir: g.dictDir}); err != nil {
					return withCode(exitError, fmt.Errorf("--dict-dir: %w", err))
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
	pf.StringVar(&g.format, "format", "text", "output format: text or json (check also: junit, sarif, github, html; pack export: md, html, json)")
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log debug details to stderr")
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
	if err == nil {
		return exitOK
	}
	var ce *exitCodeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			fmt.Fprintf(stderr, "elib: %v\n", ce.err)
		}
		return ce.code
	}
	fmt.Fprintf(stderr, "elib: %v\n", err)
	return exitError
}
