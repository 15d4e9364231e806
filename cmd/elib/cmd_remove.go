package main

import (
	"context"
	"elib/internal/i18n"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"elib/index"
	"elib/insight"
	"elib/library/kit"
)

func newRemoveCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "remove ID...",
		Short: "Remove assets or single elements from the library",
		Long: `Remove deletes assets by asset id (e.g. hooks/a.md) or single elements by
element id (<asset id>#<n>, e.g. hooks/a.md#2). The removal is durable when the
command returns. Unknown ids are reported; the known ones are still removed.
Exit codes: 0 ok, 2 any id unknown or error.`,
		Example: `  elib remove hooks/a.md
  elib remove feed_assets.jsonl#3`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRemove(cmd.Context(), g, args)
		},
	}
}

// runRemove is `elib remove` without cobra.
func runRemove(ctx context.Context, g *globalOptions, ids []string) error {
	lib, err := openLibrary(g, index.Options{SkipVerify: true})
	if err != nil {
		return err
	}
	defer lib.Close()
	if _, ok := lib.(kit.OutcomeStore); ok {
		// The stats' stored outcomes the removal changes go stale first.
		engine, err := newEngineLoader().Engine()
		if err != nil {
			return withCode(exitError, err)
		}
		if err := insight.BeforeRemove(ctx, engine, lib, ids); err != nil {
			return withCode(exitError, err)
		}
	}
	n, err := lib.Remove(ctx, ids...)
	if g.format == "json" {
		fmt.Fprintf(g.stdout, "{\"removed\":%d}\n", n)
	} else {
		g.printer().F(g.stdout, "removed %d\n", n)
	}
	if err != nil {
		if errors.Is(err, kit.ErrNotFound) {
			return withCode(exitError, err)
		}
		return withCode(exitError, i18n.Errorf("remove: %w", err))
	}
	return nil
}
