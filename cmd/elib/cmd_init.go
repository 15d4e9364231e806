package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"elib/internal/i18n"
	"elib/library"
	"elib/library/kit"
	"elib/library/postgres"
)

func newInitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create an empty library",
		Long: `Init creates an empty element library in the --library directory
($ELIB_LIBRARY, else ./.elib). It fails if a library is already there.
A PostgreSQL library (--library postgres://…) made by an older elib is
upgraded to this elib's schema instead, in one transaction, with a progress
bar on a terminal while the migration computes new columns for the
elements already stored.
Exit codes: 0 ok, 2 error.`,
		Example: `  elib init
  elib --library /data/elib init`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd.Context(), g)
		},
	}
}

// runInit is `elib init` without cobra.
func runInit(ctx context.Context, g *globalOptions) error {
	dir := g.libraryDir()
	var bar *progressbar.ProgressBar
	opts := library.InitOptions{Progress: func(step string, done, total int) {
		if g.format != "text" || !isTerminal(g.stderr) {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(g.stderr),
				progressbar.OptionSetDescription("migrating: "+step), progressbar.OptionShowCount(),
				progressbar.OptionEnableColorCodes(colorEnabled(g.stderr)), progressbar.OptionClearOnFinish())
		}
		_ = bar.Set(done)
	}}
	upgraded, err := library.InitWith(ctx, dir, opts)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		if errors.Is(err, kit.ErrExists) {
			return withCode(exitError, i18n.Errorf("a library already exists at %s", g.libraryDesc()))
		}
		return withCode(exitError, err)
	}
	dir = g.libraryDesc()
	status, msg := "created", g.printer().T("initialised empty elib library in %s", dir)
	if upgraded {
		status, msg = "upgraded", g.printer().T("upgraded the elib library in %s to schema %d", dir, postgres.SchemaVersion)
	}
	if g.format == "json" {
		return writeJSON(g.stdout, map[string]string{"library": dir, "status": status})
	}
	fmt.Fprintln(g.stdout, msg)
	return nil
}
