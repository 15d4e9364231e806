package insight

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// errReadFailed is what failingCandidates' lookups return.
var errReadFailed = errors.New("read candidates library postgres://x: database unreachable")

// failingCandidates is a library (without stored outcomes) whose LSH
// lookups fail: the first failN of them.
type failingCandidates struct {
	kit.Library
	failN, calls atomic.Int64
}

func (l *failingCandidates) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	if l.calls.Add(1) <= l.failN.Load() {
		return errReadFailed
	}
	return l.Library.CandidateCounts(keys, fn)
}

// TestStatsReadErrors: stats check each asset as of its publication
// through a check.Session: a read that fails once is read again and the
// figures are those of a library that never failed; reads that keep
// failing are the stats' error (check.ErrLibraryUnavailable, wrapping
// the cause), not figures from a library that looked empty.
func TestStatsReadErrors(t *testing.T) {
	ctx := context.Background()
	lib := reuseLibrary(t, "2026-03-15T12:00:00Z")
	want, err := Compute(ctx, elibtest.Engine(t), &failingCandidates{Library: lib}, Options{})
	require.NoError(t, err)
	require.Equal(t, 3, want.Reused, "three reuses of the hit's hook")

	once := &failingCandidates{Library: lib}
	once.failN.Store(1)
	got, err := Compute(ctx, elibtest.Engine(t), once, Options{})
	require.NoError(t, err)
	assert.Equal(t, want.Reused, got.Reused)
	assert.Equal(t, want.Assets, got.Assets)
	assert.Equal(t, want.Elements, got.Elements)

	always := &failingCandidates{Library: lib}
	always.failN.Store(1 << 40)
	_, err = Compute(ctx, elibtest.Engine(t), always, Options{})
	require.ErrorIs(t, err, check.ErrLibraryUnavailable)
	assert.ErrorIs(t, err, errReadFailed)
	assert.ErrorContains(t, err, "LSH candidates")
}
