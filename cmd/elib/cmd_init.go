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
With --tz ZONE the library keeps the team's time zone (default
Asia/Shanghai): every command shows times in it unless given --tz; on an
existing library, init --tz only changes the zone.
A PostgreSQL library (--library postgres://…) made by an older elib is
upgraded to this elib's schema instead, in one transaction, with a progress
bar on a terminal while the migration computes new columns for the
elements already stored.
Exit codes: 0 ok, 2 error.`,
		Example: `  elib init
  elib --library /data/elib init
  elib init --tz Asia/Tokyo`,
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
	exists := errors.Is(err, kit.ErrExists)
	if err != nil && !(exists && g.tz != "") {
		if exists {
			return withCode(exitError, i18n.Errorf("a library already exists at %s", g.libraryDesc()))
		}
		return withCode(exitError, err)
	}
	if g.tz != "" {
		// --tz is the team's time zone from now on: every command reads
		// it from the library (setLocale checked the name).
		if err := library.WriteSettings(ctx, dir, library.Settings{TimeZone: g.zone.String()}); err != nil {
			return withCode(exitError, i18n.Errorf("init: time zone: %w", err))
		}
	}
	desc := g.libraryDesc()
	tr := g.printer()
	status, msg := "created", tr.T("initialised empty elib library in %s", desc)
	switch {
	case exists:
		status, msg = "time_zone", tr.T("the library in %s now shows times in %s", desc, g.zone.String())
	case upgraded:
		status, msg = "upgraded", tr.T("upgraded the elib library in %s to schema %d", desc, postgres.SchemaVersion)
	}
	if g.tz != "" && !exists {
		msg += tr.T(" (times in %s)", g.zone.String())
	}
	if g.format == "json" {
		out := map[string]string{"library": desc, "status": status}
		if g.tz != "" {
			out["time_zone"] = g.zone.String()
		}
		return writeJSON(g.stdout, out)
	}
	fmt.Fprintln(g.stdout, msg)
	return nil
}
