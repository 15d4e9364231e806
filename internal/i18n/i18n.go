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

// localize renders the error arguments of a message in p's language:
// an *Error through the catalog, any other error with its known phrases
// translated.
func localize(p *Printer, args []any) []any {
	var out []any
	for i, a := range args {
		err, ok := a.(error)
		if !ok || !p.Chinese() {
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		// Still an error: a %w verb formats it.
		out[i] = rendered(p.Message(err))
	}
	if out == nil {
		return args
	}
	return out
}

// rendered is an error's text in a printer's language.
type rendered string

func (r rendered) Error() string { return string(r) }

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
// catalog; any other error (raised deep in the library, in English) has
// its known phrases translated (see Phrases).
func (p *Printer) Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e == err {
		return e.In(p)
	}
	return p.Phrases(err.Error())
}

// phrases are fixed English phrases of errors raised below the commands
// (element's sentinels, file checks): Phrases translates them inside any
// message. Each is a key of both catalogs.
var phrases = []string{
	"empty input: no copy text",
	"asset has no copy text",
	"input too large",
	"unsupported format",
	"unknown extension",
	"only regular files are read",
	"not a regular file",
	"is a directory",
	"over the limit",
	"invalid asset id",
	"unknown type",
	"draft timeline is not valid JSON",
	"encrypted 剪映 draft",
	"sidecar subtitles",
	"index locked by another process",
	"not found",
	// cobra's usage errors
	"unknown shorthand flag",
	"unknown flag",
	"unknown command",
	"flag needs an argument",
	"invalid argument",
}

// Phrases translates the known English phrases inside s (an error's
// text) into the printer's language; the rest (file names, numbers,
// causes elib does not know) stays as it is.
func (p *Printer) Phrases(s string) string {
	if !p.Chinese() {
		return s
	}
	for _, ph := range phrases {
		if strings.Contains(s, ph) {
			s = strings.ReplaceAll(s, ph, p.format(ph))
		}
	}
	return s
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
