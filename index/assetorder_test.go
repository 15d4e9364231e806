package index

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/library/kit"
)

// rebuiltOrder is the asset order built from the asset map, as a library
// that kept none builds it.
func rebuiltOrder(t *testing.T, l *Library) *assetOrder {
	t.Helper()
	l.mu.Lock()
	l.ord = nil
	l.mu.Unlock()
	o, err := l.order()
	require.NoError(t, err)
	return o
}

// TestAssetOrderKeptThroughCommits: the asset order a library keeps
// through its imports' commits (merging each batch in) equals the one
// built from scratch after every batch — new assets, replaced ones
// (their old time leaving), assets published before existing ones, without
// a time, with one an entry cannot hold — and AssetIDs and PublishedOrder
// answer from it; a removal drops it and the next need builds it again.
func TestAssetOrderKeptThroughCommits(t *testing.T) {
	ctx := context.Background()
	l, _ := newLib(t, true)
	asset := func(id, published string) element.Asset {
		a := script(id, id, "hook", fmt.Sprintf("%s，%s", hookCook, id))
		if published != "" {
			a.Meta["published"] = published
		}
		return a
	}
	batches := [][]element.Asset{
		{asset("a/1.txt", "2026-11-03T09:00:00+08:00"), asset("a/2.txt", "2026-11-05T09:00:00+08:00"), asset("a/3.txt", "")},
		// Published before the others; a replacement with a new time.
		{asset("b/1.txt", "2026-10-01T00:00:00Z"), asset("a/2.txt", "2026-11-06T09:00:00+08:00")},
		// A replacement with the same time, one an entry cannot hold, a
		// time shared with another asset.
		{asset("a/1.txt", "2026-11-03T09:00:00+08:00"), asset("c/old.txt", "1500-01-01T00:00:00Z"), asset("c/0.txt", "2026-10-01T00:00:00Z")},
		// The untimeable one replaced by a timed one; an id sorting first.
		{asset("c/old.txt", "2026-12-01T00:00:00Z"), asset("0.txt", "2026-09-01T00:00:00Z")},
	}
	kept := 0
	for i, b := range batches {
		_, err := l.Import(ctx, b)
		require.NoError(t, err)
		l.mu.RLock()
		got := l.ord
		l.mu.RUnlock()
		if i > 0 {
			require.NotNil(t, got, "batch %d: kept through the commit", i)
			kept++
		}
		want := rebuiltOrder(t, l)
		if got != nil {
			assert.Equal(t, want, got, "batch %d", i)
		}
		ids, err := l.AssetIDs()
		require.NoError(t, err)
		assert.Equal(t, want.ids, ids, "batch %d", i)
		entries, n, ok, err := l.PublishedOrder()
		require.NoError(t, err)
		assert.Equal(t, want.times, entries)
		assert.Equal(t, len(ids), n)
		assert.Equal(t, i != 2, ok, "batch %d: an untimeable asset in batch 2 only", i)
		// The entries are the assets' own times.
		times, _, err := l.PublishedTimes(ids)
		require.NoError(t, err)
		var fromAssets []int64
		for _, p := range times {
			if e := kit.PublishedEntry(p, true); e != kit.PublishedNone && e != kit.PublishedUnknown {
				fromAssets = append(fromAssets, e)
			}
		}
		assert.ElementsMatch(t, fromAssets, entries, "batch %d", i)
	}
	assert.Equal(t, 3, kept)
	_, err := l.Remove(ctx, "a/3.txt")
	require.NoError(t, err)
	l.mu.RLock()
	assert.Nil(t, l.ord, "a removal drops the order")
	l.mu.RUnlock()
	ids, err := l.AssetIDs()
	require.NoError(t, err)
	assert.NotContains(t, ids, "a/3.txt")
	_, n, _, err := l.PublishedOrder()
	require.NoError(t, err)
	assert.Equal(t, len(ids), n)
}

// BenchmarkAssetOrderKept: the order a library keeps is answered without
// copying its asset map (2,000 assets).
func BenchmarkAssetOrderKept(b *testing.B) {
	l, _ := newLib(b, true)
	var assets []element.Asset
	for i := range 2000 {
		assets = append(assets, script(fmt.Sprintf("k/%04d.txt", i), "t", "hook", fmt.Sprintf("%s，%d", hookCook, i)))
	}
	_, err := l.Import(context.Background(), assets)
	require.NoError(b, err)
	_, err = l.order()
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.order(); err != nil {
			b.Fatal(err)
		}
	}
}
