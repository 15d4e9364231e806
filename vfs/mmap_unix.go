//go:build unix

package vfs

import (
	"math"

	"golang.org/x/sys/unix"

	"elib/internal/i18n/msg"
)

// Map maps the file read-only (MAP_SHARED: the page cache's pages, no copy).
func (f osFile) Map() (*Mapping, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, msg.Errorf("map %s: %w", f.Name(), err)
	}
	size := st.Size()
	if size == 0 {
		return newMapping(f.Name(), nil, nil), nil // nothing to map
	}
	if size > math.MaxInt {
		return nil, msg.Errorf("map %s: file too large (%d bytes)", f.Name(), size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, msg.Errorf("map %s: %w", f.Name(), err)
	}
	return newMapping(f.Name(), data, unix.Munmap), nil
}
