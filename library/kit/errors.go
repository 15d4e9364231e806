package kit

import (
	"elib/internal/i18n/msg"

	"elib/element"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrNotFound is returned for an unknown asset or element
	// (element.ErrNotFound).
	ErrNotFound = element.ErrNotFound
	// ErrNoLibrary is returned by Open when dir holds no library.
	ErrNoLibrary = msg.New("no library")
	// ErrReadOnly is returned by write methods of a read-only Library.
	ErrReadOnly = msg.New("library opened read-only")
	// ErrExists is returned by Init when dir already holds a library.
	ErrExists = msg.New("library already exists")
	// ErrIncompatible is returned when the engine's fingerprint options
	// differ from those the library was built with.
	ErrIncompatible = msg.New("fingerprint options differ from the library's; run elib reindex")
)

// ErrPackExists is returned by PackAdd for a pack id already in use.
var ErrPackExists = msg.New("pack already exists")
