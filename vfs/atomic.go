package vfs

import (
	"bufio"
	"elib/internal/i18n/msg"
	"io"
	"os"
	"path/filepath"
)

// TempSuffix marks files being written; a writer removes leftovers with this
// suffix when it opens a library after a crash.
const TempSuffix = ".tmp"

// WriteFile replaces path of fsys with data atomically and durably.
func WriteFile(fsys FS, path string, data []byte) error {
	return Write(fsys, path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write replaces path atomically and durably with what write produces: the
// content goes to path+TempSuffix, is fsynced, renamed over path, and the
// directory is fsynced. On any error the target is left untouched.
func Write(fsys FS, path string, write func(w io.Writer) error) (err error) {
	tmp := path + TempSuffix
	f, err := fsys.Create(tmp)
	if err != nil {
		return msg.Errorf("create %s: %w", tmp, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			fsys.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return msg.Errorf("write %s: %w", tmp, err)
	}
	if err = bw.Flush(); err != nil {
		return msg.Errorf("write %s: %w", tmp, err)
	}
	return Commit(fsys, f, path)
}

// Commit finishes a file written to path+TempSuffix through f: it fsyncs and
// closes f, renames it to path and fsyncs the directory.
func Commit(fsys FS, f File, path string) error {
	tmp := f.Name()
	if err := f.Sync(); err != nil {
		f.Close()
		return msg.Errorf("fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return msg.Errorf("close %s: %w", tmp, err)
	}
	if err := fsys.Rename(tmp, path); err != nil {
		return msg.Errorf("rename %s: %w", tmp, err)
	}
	return fsys.SyncDir(filepath.Dir(path))
}

// SyncDir fsyncs a directory of the operating system's file system so that renames and creations in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return msg.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return msg.Errorf("fsync dir %s: %w", dir, err)
	}
	return nil
}
