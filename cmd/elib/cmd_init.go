package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"elib/index"
)

func init() { registerCommand(newInitCommand) }

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
func runInit(_ context.Context, g *globalOptions) error {
	dir := g.libraryDir()
	if err := index.Init(dir); err != nil {
		if errors.Is(err, index.ErrExists) {
			return withCode(exitError, fmt.Errorf("a library already exists at %s", dir))
		}
		return withCode(exitError, err)
	}
	if g.format == "json" {
		return writeJSON(g.stdout, map[string]string{"library": dir, "status": "created"})
	}
	fmt.Fprintf(g.stdout, "initialised empty elib library in %s\n", dir)
	return nil
}

// openLibrary opens the library of g, turning "no library" into a clear
// user error. Every error it returns carries exit code 2.
func openLibrary(g *globalOptions, opts index.Options) (*index.Library, error) {
	dir := g.libraryDir()
	opts.Dir = dir
	if !index.Exists(dir) {
		return nil, withCode(exitError, fmt.Errorf("no library at %s (create one with `elib init` or pass --library)", dir))
	}
	lib, err := index.Open(opts)
	if err != nil {
		return nil, withCode(exitError, err)
	}
	return lib, nil
}
