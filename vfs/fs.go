package vfs

import (
	"elib/internal/i18n/msg"
	"errors"
	"io"
	"io/fs"
	"os"
)

// File is an open file of an FS: written once from the start (Create) or
// read at any offset by any number of goroutines (Open).
type File interface {
	io.Writer
	io.ReaderAt
	io.Closer
	// Name returns the path the file was opened with.
	Name() string
	// Stat describes the file (its size).
	Stat() (fs.FileInfo, error)
	// Sync makes the file's content durable.
	Sync() error
}

// FS is where a library keeps its files. OS is the operating system's file
// system; NewMem returns one in memory (the embedded sample library, a check
// batch, tests): storage is a choice, and the same code writes and reads
// both — as pebble's vfs.Default and vfs.NewMem.
type FS interface {
	// Create creates or truncates name for writing.
	Create(name string) (File, error)
	// Open opens name for reading. Its content stays readable after a
	// Rename over it or a Remove (as on POSIX).
	Open(name string) (File, error)
	Rename(oldname, newname string) error
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// RemoveAll removes name and everything below it; a missing name is
	// no error.
	RemoveAll(name string) error
	MkdirAll(dir string) error
	// ReadDir lists a directory sorted by name.
	ReadDir(dir string) ([]fs.DirEntry, error)
	Stat(name string) (fs.FileInfo, error)
	// SyncDir makes renames and creations in dir durable.
	SyncDir(dir string) error
	// Lock takes the exclusive writer lock name without waiting; it fails
	// with *LockedError when another writer holds it.
	Lock(name string) (*Lock, error)
	// Durable reports whether files survive the process (the full-text
	// index, which bleve keeps in its own files, lives beside them then).
	Durable() bool
}

// OS is the operating system's file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) Create(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
}
func (osFS) Open(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}
func (osFS) Rename(o, n string) error                  { return os.Rename(o, n) }
func (osFS) Remove(name string) error                  { return os.Remove(name) }
func (osFS) RemoveAll(name string) error               { return os.RemoveAll(name) }
func (osFS) MkdirAll(dir string) error                 { return os.MkdirAll(dir, 0o755) }
func (osFS) ReadDir(dir string) ([]fs.DirEntry, error) { return os.ReadDir(dir) }
func (osFS) Stat(name string) (fs.FileInfo, error)     { return os.Stat(name) }
func (osFS) SyncDir(dir string) error                  { return SyncDir(dir) }
func (osFS) Lock(name string) (*Lock, error)           { return TryLock(name) }
func (osFS) Durable() bool                             { return true }

// osFile is an open file of OS; on unix systems it is a Mapper.
type osFile struct{ *os.File }

// ReadFile reads the whole file name of fsys.
func ReadFile(fsys FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b := make([]byte, st.Size())
	n, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, msg.Errorf("read %s: %w", name, err)
	}
	return b[:n], nil
}

// Size returns the bytes of the files under dir (files vanishing meanwhile
// are skipped).
func Size(fsys FS, dir string) int64 {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		p := dir + "/" + e.Name()
		if e.IsDir() {
			n += Size(fsys, p)
			continue
		}
		if info, err := e.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}
