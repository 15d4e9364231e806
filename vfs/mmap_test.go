package vfs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mapFile writes data to a file of OS and maps it.
func mapFile(t *testing.T, data []byte) (string, *Mapping) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	f, err := OS.Open(p)
	require.NoError(t, err)
	defer f.Close()
	mf, ok := f.(Mapper)
	if !ok {
		t.Skip("the OS file system cannot map files here")
	}
	m, err := mf.Map()
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return p, m
}

func TestMappingReadsLikeAFile(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	_, m := mapFile(t, data)
	assert.Equal(t, len(data), m.Len())
	buf := make([]byte, 10)
	n, err := m.ReadAt(buf, 5)
	require.NoError(t, err)
	assert.Equal(t, "5678901234", string(buf[:n]))
	n, err = m.ReadAt(buf, int64(len(data)-4))
	assert.Equal(t, 4, n)
	assert.ErrorIs(t, err, io.EOF)
	_, err = m.ReadAt(buf, int64(len(data)))
	assert.ErrorIs(t, err, io.EOF)
	_, err = m.ReadAt(buf, -1)
	assert.Error(t, err)

	_, empty := mapFile(t, nil)
	_, err = empty.ReadAt(buf, 0)
	assert.ErrorIs(t, err, io.EOF)
	require.NoError(t, empty.Close())
}

func TestMemFilesAreNotMapped(t *testing.T) {
	fsys := NewMem()
	require.NoError(t, WriteFile(fsys, "/f", []byte("x")))
	f, err := fsys.Open("/f")
	require.NoError(t, err)
	defer f.Close()
	_, ok := f.(Mapper)
	assert.False(t, ok, "a memory file reads without a mapping")
}

// TestMappingCloseWaitsForReads closes a mapping while goroutines read it:
// every read returns the file's bytes or ErrMappingClosed, never a crash.
func TestMappingCloseWaitsForReads(t *testing.T) {
	data := bytes.Repeat([]byte{7}, 1<<20)
	_, m := mapFile(t, data)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			<-start
			for i := 0; ; i++ {
				off := int64(i*4096) % int64(len(data)-len(buf))
				n, err := m.ReadAt(buf, off)
				if err != nil {
					assert.ErrorIs(t, err, ErrMappingClosed)
					return
				}
				if !assert.Equal(t, len(buf), n) || !assert.Equal(t, -1, bytes.IndexFunc(buf, func(r rune) bool { return r != 7 })) {
					return
				}
			}
		}()
	}
	close(start)
	require.NoError(t, m.Close())
	wg.Wait()
	require.NoError(t, m.Close(), "closing twice")
}

// TestMappingOfTruncatedFile reads a mapped file after it was truncated:
// the pages past its new end fault, and the read says so instead of
// crashing the process (SIGBUS).
func TestMappingOfTruncatedFile(t *testing.T) {
	data := bytes.Repeat([]byte{1}, 64<<10)
	p, m := mapFile(t, data)
	require.NoError(t, os.Truncate(p, 4096))
	buf := make([]byte, 4096)
	_, err := m.ReadAt(buf, 0)
	require.NoError(t, err, "the page the file still backs")
	_, err = m.ReadAt(buf, 32<<10)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrMappingFault), "%v", err)
	assert.Contains(t, err.Error(), p)
}

// TestMappingView hands out the mapped bytes in place: the range checks
// of ReadAt, fn's error returned as is, ErrMappingClosed after Close, and
// ErrMappingFault naming the file for a page past a truncated file's end.
func TestMappingView(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	_, m := mapFile(t, data)
	var got string
	require.NoError(t, m.View(5, 10, func(b []byte) error { got = string(b); return nil }))
	assert.Equal(t, "5678901234", got)
	require.NoError(t, m.View(int64(len(data)), 0, func(b []byte) error { assert.Empty(t, b); return nil }))
	for _, bad := range [][2]int64{{-1, 4}, {0, int64(len(data)) + 1}, {int64(len(data)) - 3, 4}, {int64(len(data)) + 1, 0}, {0, -1}} {
		err := m.View(bad[0], int(bad[1]), func([]byte) error { t.Fatal("fn called out of range"); return nil })
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "range %v", bad)
	}
	mine := errors.New("mine")
	assert.Equal(t, mine, m.View(0, 1, func([]byte) error { return mine }))

	require.NoError(t, m.Close())
	err := m.View(0, 1, func([]byte) error { t.Fatal("fn called after Close"); return nil })
	assert.ErrorIs(t, err, ErrMappingClosed)
}

// TestMappingViewOfTruncatedFile: fn touching a page past a truncated
// file's end fails the call with ErrMappingFault naming the file.
func TestMappingViewOfTruncatedFile(t *testing.T) {
	p, m := mapFile(t, bytes.Repeat([]byte{1}, 64<<10))
	require.NoError(t, os.Truncate(p, 4096))
	sum := func(b []byte) error { _ = bytes.Count(b, []byte{1}); return nil }
	require.NoError(t, m.View(0, 4096, sum), "the page the file still backs")
	err := m.View(32<<10, 4096, sum)
	assert.ErrorIs(t, err, ErrMappingFault)
	assert.Contains(t, err.Error(), p)
}

// TestMappingPopulate maps a range ahead of its reads without changing
// them, stops when pause says so, fails with ErrMappingFault past a
// truncated file's end and with ErrMappingClosed after Close.
func TestMappingPopulate(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*populateStep/16+100)
	p, m := mapFile(t, data)
	pauses := 0
	require.NoError(t, m.Populate(0, int64(len(data)), func() bool { pauses++; return true }))
	assert.Equal(t, 3, pauses, "between steps")
	buf := make([]byte, 16)
	_, err := m.ReadAt(buf, populateStep+16)
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef", string(buf))
	pauses = 0
	require.NoError(t, m.Populate(0, int64(len(data)), func() bool { pauses++; return false }))
	assert.Equal(t, 1, pauses, "stopped at the first pause")
	assert.ErrorIs(t, m.Populate(1, int64(len(data)), func() bool { return true }), io.ErrUnexpectedEOF)

	require.NoError(t, os.Truncate(p, 4096))
	err = m.Populate(0, int64(len(data)), func() bool { return true })
	assert.ErrorIs(t, err, ErrMappingFault)
	assert.Contains(t, err.Error(), p)
	require.NoError(t, m.Close())
	assert.ErrorIs(t, m.Populate(0, 1, func() bool { return true }), ErrMappingClosed)
}
