package vfs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.json")
	require.NoError(t, WriteFile(OS, p, []byte("one")))
	require.NoError(t, WriteFile(OS, p, []byte("two")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	_, err = os.Stat(p + TempSuffix)
	assert.True(t, os.IsNotExist(err), "temp file left behind")
}

func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.json")
	require.NoError(t, WriteFile(OS, p, []byte("old")))
	boom := errors.New("boom")
	err := Write(OS, p, func(w io.Writer) error {
		_, _ = w.Write([]byte("partial"))
		return boom
	})
	require.ErrorIs(t, err, boom)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	_, err = os.Stat(p + TempSuffix)
	assert.True(t, os.IsNotExist(err))
}

func TestTryLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	l1, err := TryLock(p)
	require.NoError(t, err)
	// flock locks belong to the open file description, so a second open in
	// the same process conflicts just like another process would.
	_, err = TryLock(p)
	var le *LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, os.Getpid(), le.PID)
	assert.Contains(t, err.Error(), "locked by another writer")
	require.NoError(t, l1.Unlock())
	l2, err := TryLock(p)
	require.NoError(t, err)
	require.NoError(t, l2.Unlock())
	assert.NoError(t, (*Lock)(nil).Unlock())
}
