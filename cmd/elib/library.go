package main

import (
	"context"
	"elib/internal/i18n"
	"errors"
	"net/url"
	"os"
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
		return nil, withCode(exitError, i18n.Errorf("no library at %s (create one with `elib init` or pass --library)", loc))
	}
	lib, err := library.Open(context.Background(), loc, library.Options{ReadOnly: opts.ReadOnly, Engine: opts.Engine,
		Workers: opts.Workers, Progress: opts.Progress, File: opts})
	if err != nil {
		if errors.Is(err, index.ErrNoLibrary) {
			return nil, withCode(exitError, i18n.Errorf("%w (create one with `elib init`)", err))
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

// libraryRoot is the folder the asset ids of files are relative to (SPEC
// §2): root when given (--root), else the folder holding a file library
// (the parent of the --library directory, so `.elib` beside `scripts/`
// gives ids like `scripts/x.md`), else the current directory — a
// PostgreSQL library has no folder, so the folder commands run in is the
// root there; run import and check from the same folder or pass --root.
func (g *globalOptions) libraryRoot(root string) string {
	if root != "" {
		if abs, err := filepath.Abs(root); err == nil {
			return abs
		}
		return root
	}
	loc := g.libraryDir()
	if !library.IsPostgres(loc) {
		if abs, err := filepath.Abs(loc); err == nil {
			return filepath.Dir(abs)
		}
	}
	wd, _ := os.Getwd()
	return wd
}

// within reports whether path lies inside (or is) folder dir.
func within(dir, path string) bool {
	if dir == "" {
		return false
	}
	absDir, err1 := filepath.Abs(dir)
	abs, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(absDir, abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
