package vfs

import (
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// LockedError reports that another process holds the writer lock.
type LockedError struct {
	// Path is the lock file.
	Path string
	// PID is the holder's process id as it recorded it (0 when unknown).
	PID int
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("%s is locked by another writer (pid %d)", e.Path, e.PID)
	}
	return fmt.Sprintf("%s is locked by another writer", e.Path)
}

// Lock is a held exclusive lock on a file. The kernel releases it when the
// process exits, even on SIGKILL, so a crash never leaves a stale lock.
type Lock struct {
	f       *os.File
	release func() error // a memory FS's lock
}

// TryLock takes an exclusive, non-blocking flock on path (creating the file)
// and records the current pid in it. It returns *LockedError when another
// process holds the lock.
func TryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, msg.Errorf("open lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &LockedError{Path: path, PID: readPID(f)}
		}
		return nil, msg.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	return pid
}

// Unlock releases the lock. It is safe to call on a nil Lock.
func (l *Lock) Unlock() error {
	if l != nil && l.release != nil {
		err := l.release()
		l.release = nil
		return err
	}
	if l == nil || l.f == nil {
		return nil
	}
	err := unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return msg.Errorf("unlock: %w", err)
	}
	return nil
}
