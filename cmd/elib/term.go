package main

import (
	"elib/internal/i18n"
	"encoding/json"
	"io"
	"os"
	"runtime/debug"

	"github.com/mattn/go-isatty"
)

// colorEnabled reports whether w is a terminal that should get colours:
// a non-empty NO_COLOR (https://no-color.org) turns them off.
func colorEnabled(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	if os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// version returns the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// writeJSON prints v as indented JSON without HTML escaping (scripts are
// Chinese text with 【】 and <>, which must stay readable).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return withCode(exitError, i18n.Errorf("write json: %w", err))
	}
	return nil
}
