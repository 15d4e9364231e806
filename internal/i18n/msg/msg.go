// Package msg carries user-facing errors as a message key — the English
// fmt format, which is also the key of internal/i18n's catalogs — and its
// arguments. The packages below the commands (element, library, media …)
// raise their errors through it and stay free of catalogs and languages;
// the layers that talk to people (cmd/elib, server) render an error in
// the user's language with i18n.Printer.Message, which walks the error's
// chain and translates every keyed part, keeping file names, line numbers
// and other arguments as they are.
//
// Error() is always English, so logs, JSON outputs for machines and
// errors.Is/As behave as with fmt.Errorf.
package msg

import (
	"fmt"
	"strings"
)

// Error is an error whose text is a message key (an English fmt format)
// formatted with its arguments. Errors among the arguments of a %w verb
// are wrapped (errors.Is and As see them), as with fmt.Errorf.
type Error struct {
	// Key is the English format string and the catalogs' key.
	Key string
	// Args are the format's arguments.
	Args []any
}

// Errorf returns an *Error for the message key: fmt.Errorf whose text a
// printer can translate.
func Errorf(key string, args ...any) error {
	return &Error{Key: key, Args: args}
}

// New returns an *Error without arguments, for sentinel errors
// (var ErrX = msg.New("…")); errors.Is compares it by identity.
func New(key string) error {
	return &Error{Key: key}
}

func (e *Error) Error() string {
	if len(e.Args) == 0 && !strings.Contains(e.Key, "%") {
		return e.Key
	}
	return fmt.Errorf(e.Key, e.Args...).Error()
}

// Unwrap returns the errors wrapped with %w, as fmt.Errorf would.
func (e *Error) Unwrap() []error {
	if !strings.Contains(e.Key, "%w") {
		return nil
	}
	switch w := fmt.Errorf(e.Key, e.Args...).(type) {
	case interface{ Unwrap() error }:
		return []error{w.Unwrap()}
	case interface{ Unwrap() []error }:
		return w.Unwrap()
	}
	return nil
}
