package library

import (
	"context"
	"path/filepath"
	"strings"
	"sync"

	"elib/internal/i18n/msg"
	"elib/library/kit"
)

// A Scheme is one kind of library location and the backend behind it:
// how a location is recognised, opened, created and described, and how
// big its import batches are. Open, Init, Exists, Describe, Name and
// DefaultBatchElements find the scheme of a location here and nowhere
// else; the file, memory and PostgreSQL schemes are registered in
// schemes.go, and a new backend registers one more (restic's location
// registry is the model).
type Scheme struct {
	// Name is the scheme's name: "file", "memory", "postgres".
	Name string
	// Prefixes are what a location of this scheme starts with
	// ("postgres://", "memory:"). The scheme without prefixes (file)
	// takes every location no other claims: a directory.
	Prefixes []string
	// Open opens the library at location.
	Open func(ctx context.Context, location string, opts Options) (kit.Library, error)
	// Init creates an empty library at location, or upgrades one an
	// older binary made (upgraded then reports it).
	Init func(ctx context.Context, location string, opts InitOptions) (upgraded bool, err error)
	// Exists reports whether location holds a library. A scheme that can
	// tell only by connecting (PostgreSQL) reports true: Open then says
	// clearly what is wrong.
	Exists func(ctx context.Context, location string) bool
	// Describe names the location for messages, without secrets: an
	// absolute directory, a URL without its password.
	Describe func(location string) string
	// ShortName names the library on the web page and /v1/info without
	// saying where it lives: a directory's base name, a database's name.
	ShortName func(location string) string
	// HasFolder reports that a location is a folder on this machine, the
	// default root of asset ids (SPEC §2); otherwise the current
	// directory is.
	HasFolder bool
	// DefaultBatchElements is the import batch size, in elements.
	DefaultBatchElements int
	// ReadSettings and WriteSettings read and replace the library's
	// Settings; nil for a scheme that keeps none.
	ReadSettings  func(ctx context.Context, location string) (Settings, error)
	WriteSettings func(ctx context.Context, location string, s Settings) error
}

var schemes struct {
	sync.RWMutex
	list []Scheme
}

// Register adds a scheme. It panics on a name registered twice or a
// second scheme without prefixes, as both are programming errors.
func Register(s Scheme) {
	schemes.Lock()
	defer schemes.Unlock()
	for _, o := range schemes.list {
		if o.Name == s.Name {
			panic("library: scheme " + s.Name + " registered twice")
		}
		if len(o.Prefixes) == 0 && len(s.Prefixes) == 0 {
			panic("library: two schemes without prefixes: " + o.Name + ", " + s.Name)
		}
	}
	schemes.list = append(schemes.list, s)
}

// Schemes returns the registered schemes in registration order.
func Schemes() []Scheme {
	schemes.RLock()
	defer schemes.RUnlock()
	return append([]Scheme(nil), schemes.list...)
}

// SchemeOf returns the scheme of location: the one whose prefix it
// starts with (case-insensitively), else the one without prefixes.
func SchemeOf(location string) (Scheme, error) {
	var fallback *Scheme
	lower := strings.ToLower(location)
	list := Schemes()
	for i, s := range list {
		if len(s.Prefixes) == 0 {
			fallback = &list[i]
		}
		for _, p := range s.Prefixes {
			if strings.HasPrefix(lower, p) {
				return s, nil
			}
		}
	}
	if fallback == nil {
		return Scheme{}, msg.Errorf("library %q: no scheme takes this location", location)
	}
	return *fallback, nil
}

// mustScheme is SchemeOf for the functions below, which cannot fail on a
// registry holding a scheme without prefixes (schemes.go registers file).
func mustScheme(location string) Scheme {
	s, err := SchemeOf(location)
	if err != nil {
		panic(err)
	}
	return s
}

// Open opens the library at location.
func Open(ctx context.Context, location string, opts Options) (kit.Library, error) {
	return mustScheme(location).Open(ctx, location, opts)
}

// Init creates an empty library at location (for PostgreSQL: the schema,
// by migrations, in an existing database).
func Init(ctx context.Context, location string) error {
	_, err := InitWith(ctx, location, InitOptions{})
	return err
}

// InitOptions tune InitWith.
type InitOptions struct {
	// Progress, when set, follows a PostgreSQL migration filling in what
	// SQL cannot compute for the elements already stored: what it
	// computes, elements done, total.
	Progress func(step string, done, total int)
}

// InitWith is Init; upgraded reports that it migrated an existing
// library to this binary's schema instead of creating one.
func InitWith(ctx context.Context, location string, opts InitOptions) (upgraded bool, err error) {
	return mustScheme(location).Init(ctx, location, opts)
}

// Exists reports whether location holds a library; for a scheme that can
// tell only by connecting (PostgreSQL), true (see Scheme.Exists).
func Exists(ctx context.Context, location string) bool {
	return mustScheme(location).Exists(ctx, location)
}

// Describe names location for messages: an absolute directory, a URL
// without its password.
func Describe(location string) string {
	return mustScheme(location).Describe(location)
}

// ShortName names the library at location without saying where it lives
// (the web page, /v1/info): a directory's base name, a database's name.
func ShortName(location string) string {
	return mustScheme(location).ShortName(location)
}

// Root is the folder asset ids of files are relative to by default for
// the library at location (SPEC §2): the folder holding a file library
// (so `.elib` beside `scripts/` gives ids like `scripts/x.md`), else ""
// (the current directory: a database has no folder).
func Root(location string) string {
	if !mustScheme(location).HasFolder {
		return ""
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return ""
	}
	return filepath.Dir(abs)
}

// DefaultBatchElements is the import batch size for the library at
// location (Scheme.DefaultBatchElements).
func DefaultBatchElements(location string) int {
	return mustScheme(location).DefaultBatchElements
}
