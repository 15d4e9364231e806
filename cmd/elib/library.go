package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"elib/index"
	"elib/library"
)

// libraryExists reports whether the --library location holds a library. A
// PostgreSQL URL counts as existing: opening it says clearly whether the
// database is unreachable or has no elib schema yet.
func (g *globalOptions) libraryExists() bool {
	loc := g.libraryDir()
	return library.IsPostgres(loc) || library.Exists(context.Background(), loc)
}

// libraryDesc names the --library location for messages: an absolute
// directory, or the URL without its password.
func (g *globalOptions) libraryDesc() string {
	loc := g.libraryDir()
	if library.IsPostgres(loc) {
		return library.Describe(loc)
	}
	abs, err := filepath.Abs(loc)
	if err != nil {
		return loc
	}
	return abs
}

// openLibrary opens the library of g — a directory or a postgres:// URL —
// turning "no library" into a clear user error. opts carries the file
// library's options; ReadOnly, Engine, Workers and Progress apply to every
// backend. Every error it returns carries exit code 2.
func openLibrary(g *globalOptions, opts index.Options) (library.Library, error) {
	loc := g.libraryDir()
	if !g.libraryExists() {
		return nil, withCode(exitError, fmt.Errorf("no library at %s (create one with `elib init` or pass --library)", loc))
	}
	lib, err := library.Open(context.Background(), loc, library.Options{ReadOnly: opts.ReadOnly, Engine: opts.Engine,
		Workers: opts.Workers, Progress: opts.Progress, File: opts})
	if err != nil {
		if errors.Is(err, index.ErrNoLibrary) {
			return nil, withCode(exitError, fmt.Errorf("%w (create one with `elib init`)", err))
		}
		return nil, withCode(exitError, err)
	}
	return lib, nil
}

// postgresName is the database name of a postgres:// URL, what the page
// and /v1/info show instead of where the library lives.
func postgresName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || strings.Trim(u.Path, "/") == "" {
		return "postgres"
	}
	return strings.Trim(u.Path, "/")
}
