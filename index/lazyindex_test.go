package index

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/normalize"
	"elib/fingerprint/winnow"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// A LazyIndex reader answers every lookup as an eager one, loads the
// candidate indexes only when asked, and survives the writer deleting the
// snapshot files it has not read yet.
func TestLazyIndexLoadsAtFirstLookup(t *testing.T) {
	w, dir := newLib(t, true)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	eager := newReader(t, dir)

	lazy, err := Open(Options{Dir: dir, ReadOnly: true, LazyIndex: true, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	t.Cleanup(func() { lazy.Close() })
	assert.Nil(t, lazy.lsh, "not loaded at Open")
	assert.Equal(t, elibtest.Must(eager.AssetIDs()), elibtest.Must(lazy.AssetIDs()))
	st, err := lazy.Stats()
	require.NoError(t, err)
	est, err := eager.Stats()
	require.NoError(t, err)
	assert.Equal(t, est, st)

	// A writer commits a reindex, which replaces the snapshot files the
	// lazy reader opened with its manifest.
	require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
	assert.Nil(t, lazy.lsh)

	for _, text := range []string{hookRun, convRun, testiRun} {
		assert.Equal(t, candidates(t, eager, text), candidates(t, lazy, text), text)
	}
	assert.NotNil(t, lazy.lsh, "loaded by the first lookup")
	var hashes []uint64
	for _, text := range []string{hookRun, storyCar} {
		hashes = append(hashes, winnow.Hashes(normalize.New().Normalize(text).Runes)...)
	}
	collect := func(l *Library) ([]int, map[int][]uint32) {
		got := map[int][]uint32{}
		counts := elibtest.Must(l.AnchorHolders(hashes, 8, func(i int, ref uint32) { got[i] = append(got[i], ref) }))
		return counts, got
	}
	ec, eh := collect(eager)
	lc, lh := collect(lazy)
	assert.Equal(t, ec, lc)
	assert.Equal(t, eh, lh)
	require.NoError(t, lazy.LoadIndex(), "loaded: nothing to do")

	// Refresh catches the lazy reader up (the reindex generation); it
	// defers the rebuilt indexes again, and LoadIndex loads them.
	_, err = w.Import(ctx, []element.Asset{script("camp/d.txt", "营地灯", "hook", hookNew, "conversion", convRun)})
	require.NoError(t, err)
	changed, err := lazy.Refresh()
	require.NoError(t, err)
	assert.True(t, changed)
	_, err = eager.Refresh()
	require.NoError(t, err)
	require.NoError(t, lazy.LoadIndex())
	assert.NotNil(t, lazy.lsh)
	assert.True(t, candidates(t, lazy, hookNew)["camp/d.txt#1"])
	assert.Equal(t, candidates(t, eager, convRun), candidates(t, lazy, convRun))
}
