package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"elib/index"
	"elib/internal/i18n"
	"elib/library"
	"elib/library/kit"
)

// migrateOptions are the flags of `elib migrate`.
type migrateOptions struct {
	from, to string
	workers  int
}

func newMigrateCommand(g *globalOptions) *cobra.Command {
	var opts migrateOptions
	cmd := &cobra.Command{
		Use:   "migrate --from LIBRARY --to LIBRARY",
		Short: "Copy a library between a directory and PostgreSQL",
		Long: `Migrate copies every live asset (with its metadata: import and published
times), the allowlist and the creator packs from one library to another: a directory to a
postgres:// database or back. The destination is created (elib init) when
it does not exist; assets already there with the same id are replaced, so an
interrupted migration can be run again. Counts and check results are the
same afterwards.
Exit codes: 0 ok, 2 error.`,
		Example: `  elib migrate --from .elib --to postgres://elib@db/elib
  elib migrate --from postgres://elib@db/elib --to backup.elib`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMigrate(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "library to copy (directory or postgres:// URL)")
	f.StringVar(&opts.to, "to", "", "library to copy into (directory or postgres:// URL)")
	f.IntVar(&opts.workers, "workers", 0, "fingerprinting goroutines (default: number of CPUs)")
	return cmd
}

// runMigrate is `elib migrate` without cobra.
func runMigrate(ctx context.Context, g *globalOptions, opts migrateOptions) error {
	if opts.from == "" || opts.to == "" {
		return withCode(exitError, i18n.Errorf("migrate: give --from and --to"))
	}
	engine, err := newEngineLoader().Engine()
	if err != nil {
		return withCode(exitError, i18n.Errorf("migrate: %w", err))
	}
	src, err := library.Open(ctx, opts.from, library.Options{ReadOnly: true, File: index.Options{SkipVerify: true}})
	if err != nil {
		return withCode(exitError, i18n.Errorf("migrate: %w", err))
	}
	defer src.Close()
	if err := library.Init(ctx, opts.to); err != nil && !errors.Is(err, kit.ErrExists) {
		return withCode(exitError, i18n.Errorf("migrate: %w", err))
	}
	dst, err := library.Open(ctx, opts.to, library.Options{Engine: engine, Workers: opts.workers})
	if err != nil {
		return withCode(exitError, i18n.Errorf("migrate: %w", err))
	}
	defer dst.Close()
	res, err := library.Migrate(ctx, src, dst, nil)
	if err == nil {
		// The team's time zone goes with the library, unless the
		// destination has its own.
		set, rerr := library.ReadSettings(ctx, opts.from)
		if old, derr := library.ReadSettings(ctx, opts.to); rerr == nil && derr == nil && set.TimeZone != "" && old.TimeZone == "" {
			if werr := library.WriteSettings(ctx, opts.to, set); werr != nil && !errors.Is(werr, library.ErrNoSettings) {
				err = i18n.Errorf("migrate: time zone: %w", werr)
			}
		}
	}
	if err != nil && ctx.Err() != nil {
		return withCode(exitError, i18n.Errorf("migrate stopped; what was copied stays (running it again completes it, replacing assets by id): %w", err))
	}
	if err != nil {
		return withCode(exitError, err)
	}
	if g.format == "json" {
		return writeJSON(g.stdout, res)
	}
	g.printer().F(g.stdout, "migrated %d assets (%d elements), %d allowlist phrases, %d packs and %d recorded checks from %s to %s\n",
		res.Assets, res.Elements, res.Allowlist, res.Packs, res.History, library.Describe(opts.from), library.Describe(opts.to))
	return nil
}
