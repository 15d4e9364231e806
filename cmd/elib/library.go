package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"elib/index"
	"elib/internal/i18n"
	"elib/library"
	"elib/library/kit"
)

// libraryExists reports whether the --library location holds a library
// (library.Exists: a PostgreSQL URL counts as existing, opening it says
// clearly whether the database is unreachable or has no elib schema yet).
func (g *globalOptions) libraryExists() bool {
	return library.Exists(context.Background(), g.libraryDir())
}

// libraryDesc names the --library location for messages (library.Describe:
// an absolute directory, or the URL without its password).
func (g *globalOptions) libraryDesc() string {
	return library.Describe(g.libraryDir())
}

// openLibrary opens the library of g — a directory or a postgres:// URL —
// turning "no library" into a clear user error. opts carries the file
// library's options; ReadOnly, Engine, Workers and Progress apply to every
// backend. Every error it returns carries exit code 2.
func openLibrary(g *globalOptions, opts index.Options) (kit.Library, error) {
	loc := g.libraryDir()
	if !g.libraryExists() {
		return nil, withCode(exitError, i18n.Errorf("no library at %s (create one with `elib init` or pass --library)", loc))
	}
	lib, err := library.Open(context.Background(), loc, library.Options{ReadOnly: opts.ReadOnly, Engine: opts.Engine,
		Workers: opts.Workers, Progress: opts.Progress, File: opts})
	if err != nil {
		if errors.Is(err, kit.ErrNoLibrary) {
			return nil, withCode(exitError, i18n.Errorf("%w (create one with `elib init`)", err))
		}
		return nil, withCode(exitError, err)
	}
	return lib, nil
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
	if r := library.Root(g.libraryDir()); r != "" {
		return r
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
