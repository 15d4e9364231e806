// Package i18n holds the messages elib's command line prints — verdicts,
// table headings, errors — in one catalog per language (catalog_en.go,
// catalog_zh.go), looked up through golang.org/x/text's message catalog.
// A command picks its language once (Detect: --lang, else the POSIX
// locale variables) and renders every message through a Printer; JSON
// keys and exit codes never change with the language.
//
// A message's key is its English format string (fmt verbs); the Chinese
// catalog maps it to the same verbs in Chinese. TestCatalogsComplete
// fails when a key used in the code lacks a translation.
package i18n

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// The languages elib speaks.
var (
	English = language.English
	Chinese = language.SimplifiedChinese
)

// catalogs are the built message catalogs, English the fallback.
var catalogs = func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(English))
	for k, v := range en {
		if err := b.SetString(English, k, v); err != nil {
			panic(fmt.Sprintf("i18n: English %q: %v", k, err))
		}
	}
	for k, v := range zh {
		if err := b.SetString(Chinese, k, v); err != nil {
			panic(fmt.Sprintf("i18n: Chinese %q: %v", k, err))
		}
	}
	return b
}()

// Printer renders messages in one language. The zero value and a nil
// *Printer print English.
type Printer struct {
	tag language.Tag
}

// New returns a Printer for tag, matched to the nearest language elib
// speaks (any Chinese tag → Simplified Chinese; anything else English).
func New(tag language.Tag) *Printer {
	return &Printer{tag: Match(tag)}
}

// Match is the language elib speaks nearest to tag.
func Match(tag language.Tag) language.Tag {
	base, _ := tag.Base()
	if zhBase, _ := Chinese.Base(); base == zhBase {
		return Chinese
	}
	return English
}

// Tag is the printer's language.
func (p *Printer) Tag() language.Tag {
	if p == nil || p.tag == (language.Tag{}) {
		return English
	}
	return p.tag
}

// Chinese reports whether the printer prints Chinese.
func (p *Printer) Chinese() bool { return p.Tag() == Chinese }

// format is the catalog's format string for key in the printer's
// language; key itself when no catalog holds it.
func (p *Printer) format(key string) string {
	r := &grab{}
	if err := catalogs.Context(p.Tag(), r).Execute(key); err != nil || !r.ok {
		return key
	}
	return r.s
}

// grab is a catalog renderer that keeps the message's format string: the
// arguments are formatted by fmt, as in English, so numbers and times
// read the same in both languages.
type grab struct {
	s  string
	ok bool
}

func (g *grab) Render(s string) { g.s, g.ok = g.s+s, true }
func (g *grab) Arg(int) any     { return nil }

// T formats the message key (an English format string) in the printer's
// language.
func (p *Printer) T(key string, args ...any) string {
	return fmt.Sprintf(p.format(key), localize(p, args)...)
}

// F writes the message key, formatted in the printer's language, to w.
func (p *Printer) F(w io.Writer, key string, args ...any) {
	fmt.Fprintf(w, p.format(key), localize(p, args)...)
}

// localize renders the *Error arguments of a message in p's language.
func localize(p *Printer, args []any) []any {
	var out []any
	for i, a := range args {
		var e *Error
		if err, ok := a.(error); ok && errors.As(err, &e) && e == err {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = e.In(p)
		}
	}
	if out == nil {
		return args
	}
	return out
}

// Error is an error whose message is a catalog key and its arguments:
// Error() is English, In renders it in a printer's language. Wrapped
// errors among its arguments (%w) stay visible to errors.Is and As.
type Error struct {
	key  string
	args []any
}

// Errorf returns an *Error for the message key.
func Errorf(key string, args ...any) error {
	return &Error{key: key, args: args}
}

func (e *Error) Error() string { return fmt.Errorf(e.key, e.args...).Error() }

// In is the error's message in p's language.
func (e *Error) In(p *Printer) string {
	return fmt.Errorf(p.format(e.key), localize(p, e.args)...).Error()
}

// Unwrap returns the errors wrapped with %w.
func (e *Error) Unwrap() []error {
	var out []error
	for _, a := range e.args {
		if err, ok := a.(error); ok && strings.Contains(e.key, "%w") {
			out = append(out, err)
		}
	}
	return out
}

// Message is err in p's language: an *Error is rendered through the
// catalog, any other error keeps its English text.
func (p *Printer) Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e == err {
		return e.In(p)
	}
	return err.Error()
}

// Detect picks the language: flag (--lang) when set, else the first of
// LC_ALL, LC_MESSAGES and LANG that is set (POSIX's order); "zh…" is
// Chinese, anything else (C, POSIX, en_US.UTF-8, unset) English. A flag
// naming a language elib does not speak is an error.
func Detect(flag string, getenv func(string) string) (language.Tag, error) {
	if flag = strings.TrimSpace(flag); flag != "" {
		switch l := strings.ToLower(flag); {
		case strings.HasPrefix(l, "zh"):
			return Chinese, nil
		case strings.HasPrefix(l, "en"):
			return English, nil
		}
		return English, Errorf("--lang %q: want zh or en", flag)
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			if strings.HasPrefix(strings.ToLower(s), "zh") {
				return Chinese, nil
			}
			return English, nil
		}
	}
	return English, nil
}
