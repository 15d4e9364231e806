package vfs

import (
	"errors"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"

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

// populateStep is how much of a mapping Populate maps per step.
const populateStep = 4 << 20

// Populate maps the pages of the n bytes at offset off of the mapping into
// the process ahead of their use, reading from the file those not in the
// page cache, so that later reads of them neither wait for the disk nor
// fault. It works in steps of a few MiB, each under the mapping's read
// lock, so a Close waits for one step at most; between steps it calls
// pause, which returns false to stop. It returns ErrMappingClosed once the
// mapping is closed, and ErrMappingFault if the file no longer backs the
// range. Populate changes no byte a read returns: it is a hint.
func (m *Mapping) Populate(off, n int64, pause func() bool) error {
	for end := off + n; off < end; off += populateStep {
		if err := m.populateStep(off, min(populateStep, end-off)); err != nil {
			return err
		}
		if off+populateStep < end && !pause() {
			return nil
		}
	}
	return nil
}

func (m *Mapping) populateStep(off, n int64) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return msg.Errorf("populate %s: %w", m.name, ErrMappingClosed)
	}
	if off < 0 || n < 0 || off > int64(len(m.data)) || n > int64(len(m.data))-off {
		return msg.Errorf("populate %s: %d bytes at offset %d of %d: %w", m.name, n, off, len(m.data), io.ErrUnexpectedEOF)
	}
	if err := viewMapped(m.data[off:off+n:off+n], populate); err != nil {
		return msg.Errorf("populate %s at offset %d: %w", m.name, off, err)
	}
	return nil
}

// touchPages reads one byte of each page of b, mapped memory: the portable
// way to map its pages (populate's fallback).
func touchPages(b []byte) error {
	const page = 4096
	var sum byte
	for i := 0; i < len(b); i += page {
		sum += b[i]
	}
	touched.Add(uint32(sum)) // the reads are kept
	return nil
}

// touched keeps touchPages' reads from being optimised away.
var touched atomic.Uint32

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
