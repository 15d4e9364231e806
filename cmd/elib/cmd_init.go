package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"elib/index"
	"elib/library"
)

func newInitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create an empty library",
		Long: `Init creates an empty element library in the --library directory
($ELIB_LIBRARY, else ./.elib). It fails if a library is already there.
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
	if err := library.Init(ctx, dir); err != nil {
		if errors.Is(err, index.ErrExists) {
			return withCode(exitError, fmt.Errorf("a library already exists at %s", g.libraryDesc()))
		}
		return withCode(exitError, err)
	}
	if library.IsPostgres(dir) {
		dir = g.libraryDesc()
	}
	if g.format == "json" {
		return writeJSON(g.stdout, map[string]string{"library": dir, "status": "created"})
	}
	fmt.Fprintf(g.stdout, "initialised empty elib library in %s\n", dir)
	return nil
}
