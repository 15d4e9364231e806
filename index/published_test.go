package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/index/store"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// assertPublishedTimes checks PublishedTimes against decoding each asset.
func assertPublishedTimes(t *testing.T, l *Library) {
	t.Helper()
	ids := append(elibtest.Must(l.AssetIDs()), "no/such.txt")
	times, live, err := l.PublishedTimes(ids)
	require.NoError(t, err)
	for i, id := range ids {
		a, err := l.Asset(id)
		if err != nil {
			assert.False(t, live[i], id)
			assert.True(t, times[i].IsZero(), id)
			continue
		}
		assert.True(t, live[i], id)
		want, _ := a.Published()
		assert.True(t, want.Equal(times[i]), "%s: %v, want %v", id, times[i], want)
	}
}

// publishedFiles lists the library's published files.
func publishedFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, segmentsDir, "*.published"))
	require.NoError(t, err)
	return files
}

// TestPublishedTimes: the published times of the published files equal
// the assets' own, through imports, replacements, removals and a reindex;
// a library without the files (written before them) or with a damaged one
// has them rebuilt by its first reader, read-only too (a killed rebuild's
// temporary file in the way), and a writer's cleanup keeps exactly those
// of live segments and removes the leftovers.
func TestPublishedTimes(t *testing.T) {
	ctx := context.Background()
	l, dir := newLib(t, true)
	batch := sampleAssets()
	batch[0].Meta["published"] = "2026-11-03T09:00:00+08:00"
	batch[1].Meta["发布时间"] = "2026-11-04"
	batch[2].Meta["published"] = "1500-01-01T00:00:00Z" // beyond an entry: read from the asset
	_, err := l.Import(ctx, batch)
	require.NoError(t, err)
	stamped := script("new/d.txt", "无发布时间", "hook", hookCook) // stamped with the import time
	_, err = l.Import(ctx, []element.Asset{stamped, script("cook/b.txt", "牛排锅", "hook", hookCook)})
	require.NoError(t, err)
	_, err = l.Remove(ctx, "car/c.txt")
	require.NoError(t, err)
	assertPublishedTimes(t, l)
	require.Len(t, publishedFiles(t, dir), 3, "one per segment")

	// A library written before the files; one file damaged.
	require.NoError(t, l.Close())
	files := publishedFiles(t, dir)
	require.NoError(t, os.WriteFile(files[0], []byte("ELIBPUB1 damaged"), 0o644))
	require.NoError(t, os.Remove(files[1]))
	require.NoError(t, os.Remove(files[2]))
	// A rebuild killed before its rename leaves a temporary file.
	leftover := files[1] + ".tmp"
	require.NoError(t, os.WriteFile(leftover, []byte("ELIBPUB1"), 0o644))
	r, err := Open(Options{Dir: dir, ReadOnly: true, LazyIndex: true})
	require.NoError(t, err)
	assertPublishedTimes(t, r)
	require.NoError(t, r.Close())
	// The segments holding live assets have theirs again (the removal's
	// holds none: nothing needs it).
	assert.Equal(t, files[:2], publishedFiles(t, dir), "a read-only reader rebuilt them")
	for _, f := range files[:2] {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		_, err = store.DecodePublished(b)
		assert.NoError(t, err, f)
	}

	// A writer keeps them; a reindex replaces the segments and theirs.
	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.NoError(t, err)
	t.Cleanup(func() { w.Close() })
	assert.Len(t, publishedFiles(t, dir), 2)
	_, err = os.Stat(leftover)
	assert.ErrorIs(t, err, os.ErrNotExist, "a writer removes the leftover")
	require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
	assert.Len(t, publishedFiles(t, dir), 1, "the reindexed library's one segment")
	assertPublishedTimes(t, w)
	times, _, err := w.PublishedTimes([]string{"run/a.txt"})
	require.NoError(t, err)
	assert.True(t, times[0].Equal(time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)))
}
