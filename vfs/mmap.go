package vfs

import (
	"errors"
	"io"
	"runtime/debug"
	"sync"

	"elib/internal/i18n/msg"
)

// Mapper is an optional ability of a File: mapping its content read-only
// into memory, so that a read costs a copy instead of a system call. The
// OS file system's files have it on unix systems; a memory file system's
// do not (their content is in memory already). A reader checks for it
// once, when it opens a file.
type Mapper interface {
	// Map maps the file's current content. The mapping stays valid after
	// the file is closed, until the Mapping is closed.
	Map() (*Mapping, error)
}

// Errors of a Mapping's reads.
var (
	// ErrMappingClosed is wrapped by a read of a closed Mapping.
	ErrMappingClosed = msg.New("file mapping closed")
	// ErrMappingFault is wrapped by a read that touched a page the file no
	// longer backs: it shrank, or its storage failed, while mapped.
	ErrMappingFault = msg.New("mapped file shrank or became unreadable")
)

// Mapping is a file's content mapped read-only into memory. Its reads copy
// out of the mapping, so no byte of it escapes; it is safe for concurrent
// use, and Close waits for the reads in flight before unmapping, so a read
// never touches an unmapped page. A read of a page the file no longer
// backs fails with ErrMappingFault instead of crashing the process.
type Mapping struct {
	name   string
	mu     sync.RWMutex // held for reading by every read, for writing by Close
	data   []byte
	closed bool
	unmap  func([]byte) error
}

func newMapping(name string, data []byte, unmap func([]byte) error) *Mapping {
	return &Mapping{name: name, data: data, unmap: unmap}
}

// Len returns the number of bytes mapped.
func (m *Mapping) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.data)
}

// ReadAt copies len(p) bytes from offset off of the mapping into p, as
// io.ReaderAt (fewer bytes and io.EOF at the end of the file).
func (m *Mapping) ReadAt(p []byte, off int64) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, msg.Errorf("read %s: %w", m.name, ErrMappingClosed)
	}
	if off < 0 {
		return 0, msg.Errorf("read %s: negative offset %d", m.name, off)
	}
	if off >= int64(len(m.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n, err := copyMapped(p, m.data[off:])
	if err != nil {
		return 0, msg.Errorf("read %s at offset %d: %w", m.name, off, err)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// View calls fn with the n bytes at offset off of the mapping in place,
// without copying them: fn must not keep the slice, nor anything pointing
// into it, after it returns. The mapping stays mapped until fn returns
// (Close waits), and a page the file no longer backs fails the call with
// ErrMappingFault instead of crashing the process. View returns fn's
// error, or an error wrapping io.ErrUnexpectedEOF when the range is not
// all mapped.
func (m *Mapping) View(off int64, n int, fn func(b []byte) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return msg.Errorf("read %s: %w", m.name, ErrMappingClosed)
	}
	if off < 0 || n < 0 || off > int64(len(m.data)) || int64(n) > int64(len(m.data))-off {
		return msg.Errorf("read %s: %d bytes at offset %d of %d: %w", m.name, n, off, len(m.data), io.ErrUnexpectedEOF)
	}
	if err := viewMapped(m.data[off:off+int64(n):off+int64(n)], fn); err != nil {
		if errors.Is(err, ErrMappingFault) {
			return msg.Errorf("read %s at offset %d: %w", m.name, off, err)
		}
		return err
	}
	return nil
}

// viewMapped calls fn with b, mapped memory; a fault on a page the file no
// longer backs becomes ErrMappingFault.
func viewMapped(b []byte, fn func([]byte) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			err = ErrMappingFault
		}
	}()
	return fn(b)
}

// copyMapped copies src, mapped memory, into dst; a fault on a page the
// file no longer backs (SIGBUS past its end) becomes ErrMappingFault.
func copyMapped(dst, src []byte) (n int, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			n, err = 0, ErrMappingFault
		}
	}()
	return copy(dst, src), nil
}

// Close waits for the reads in flight and unmaps the file; later reads fail
// with ErrMappingClosed. Closing twice is no error.
func (m *Mapping) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	data := m.data
	m.data = nil
	if len(data) == 0 || m.unmap == nil {
		return nil
	}
	if err := m.unmap(data); err != nil {
		return msg.Errorf("unmap %s: %w", m.name, err)
	}
	return nil
}
