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
//
// Errors: the packages below the commands raise theirs with a message key
// and its arguments (package msg, no catalogs there); Printer.Message says
// any error in the printer's language, walking its chain (the keyed parts
// through the catalogs, the file names and line numbers of wrappers kept,
// *fs.PathError's operation and cause translated). The server does the
// same for each request's language.
package i18n

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"elib/internal/i18n/msg"

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
		out[i] = rendered(p.render(err))
	}
	if out == nil {
		return args
	}
	return out
}

// rendered is an error's text in a printer's language.
type rendered string

func (r rendered) Error() string { return string(r) }

// Error is an error whose message is a catalog key and its arguments
// (package msg): Error() is English, Printer.Message renders it in a
// printer's language. Wrapped errors among its arguments (%w) stay
// visible to errors.Is and As.
type Error = msg.Error

// Errorf returns an *Error for the message key.
func Errorf(key string, args ...any) error {
	return msg.Errorf(key, args...)
}

// Message is err in p's language. The error's chain is walked: an
// *Error (package msg; the commands' i18n.Errorf and the sentinels and
// errors of the packages below) is rendered through the catalog with
// its arguments rendered in turn; a wrapper that is not one (fmt.Errorf
// "%s: %w", element.ParseError's "file:line: …") keeps its own text —
// file names, line numbers — with each wrapped error's part rendered; a
// file-system error says its operation and cause in p's language; what
// is left (causes elib does not know) has its known phrases translated
// (see Phrases).
func (p *Printer) Message(err error) string {
	if err == nil {
		return ""
	}
	if !p.Chinese() {
		return err.Error()
	}
	return p.render(err)
}

// render is Message for a Chinese printer.
func (p *Printer) render(err error) string {
	switch e := err.(type) {
	case *msg.Error:
		if len(e.Args) == 0 && !strings.Contains(e.Key, "%") {
			return p.format(e.Key)
		}
		return fmt.Errorf(p.format(e.Key), localize(p, e.Args)...).Error()
	case rendered:
		return string(e)
	case *fs.PathError:
		return p.T("%s %s: %s", p.format(e.Op), e.Path, rendered(p.render(e.Err)))
	case *os.LinkError:
		return p.T("%s %s %s: %s", p.format(e.Op), e.Old, e.New, rendered(p.render(e.Err)))
	case *os.SyscallError:
		return p.T("%s: %s", e.Syscall, rendered(p.render(e.Err)))
	}
	var kids []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if k := u.Unwrap(); k != nil {
			kids = []error{k}
		}
	case interface{ Unwrap() []error }:
		kids = u.Unwrap()
	}
	s := err.Error()
	if len(kids) == 0 {
		return p.Phrases(s)
	}
	// The wrapper's text holds each wrapped error's text (fmt.Errorf's
	// "…: %w"): render those parts, and the wrapper's own words through
	// the phrases.
	var b strings.Builder
	for _, k := range kids {
		if k == nil {
			continue
		}
		ks := k.Error()
		i := strings.Index(s, ks)
		if i < 0 || ks == "" {
			continue
		}
		b.WriteString(p.Phrases(s[:i]))
		b.WriteString(p.render(k))
		s = s[i+len(ks):]
	}
	b.WriteString(p.Phrases(s))
	return b.String()
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
	// causes from the operating system and encoding/json
	"no such file or directory",
	"permission denied",
	"not a directory",
	"file exists",
	"no space left on device",
	"read-only file system",
	"too many open files",
	"connection refused",
	"address already in use",
	"unexpected end of JSON input",
	"invalid character",
	"looking for beginning of value",
	"cannot unmarshal",
	"context deadline exceeded",
	"context canceled",
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
