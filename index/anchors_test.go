package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fingerprint/normalize"
	"elib/fingerprint/winnow"
	"elib/index/manifest"
	"elib/internal/elibtest"
	"elib/library/kit"
	"elib/vfs"
)

// anchorRefs returns the element ids whose anchors a text shares, with how
// many anchors each shares.
func anchorRefs(t *testing.T, l *Library, text string) map[string]int {
	t.Helper()
	out := map[string]int{}
	l.AnchorHolders(winnow.Hashes(normalize.New().Normalize(text).Runes), 100, func(_ int, ref uint32) {
		e, err := l.Element(ref)
		require.NoError(t, err)
		out[e.ID]++
	})
	return out
}

// TestAnchorsFindPartOfAnElement: a text that contains only a sentence of
// a library element (too little for its MinHash signature to collide)
// shares that element's anchors; removal drops them.
func TestAnchorsFindPartOfAnElement(t *testing.T) {
	l, _ := newLib(t, true)
	ctx := context.Background()
	_, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	part := "今天的新脚本：每次跑完五公里膝盖就酸得不行，后面全是新写的内容和别的话题"
	got := anchorRefs(t, l, part)
	assert.GreaterOrEqual(t, got["run/a.txt#1"], 2, "the element holding the copied sentence")
	assert.NotContains(t, got, "car/c.txt#1")

	_, err = l.Remove(ctx, "run/a.txt")
	require.NoError(t, err)
	assert.NotContains(t, anchorRefs(t, l, part), "run/a.txt#1")
}

// TestAnchorsPersistAndBackfill: the anchor index is saved with the LSH
// snapshot; a library written before anchors existed gets it built at Open
// and persisted by its next writer.
func TestAnchorsPersistAndBackfill(t *testing.T) {
	dir, m := closedSampleLibrary(t)
	require.NotNil(t, m.Anchors, "saved at the first import")
	part := "每次跑完五公里膝盖就酸得不行"

	r := newReader(t, dir)
	assert.Contains(t, anchorRefs(t, r, part), "run/a.txt#1", "loaded from the snapshot")
	r.Close()

	// An older library: no anchor snapshot in its manifest.
	require.NoError(t, os.Remove(filepath.Join(dir, m.Anchors.File)))
	m.Anchors = nil
	require.NoError(t, manifest.WriteFS(vfs.OS, dir, m))
	r = newReader(t, dir)
	assert.Contains(t, anchorRefs(t, r, part), "run/a.txt#1", "built from the store")
	r.Close()

	w2, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.NoError(t, err)
	require.NoError(t, w2.Close())
	m, err = manifest.Read(dir)
	require.NoError(t, err)
	require.NotNil(t, m.Anchors, "persisted by the writer's open")
	_, err = os.Stat(filepath.Join(dir, m.Anchors.File))
	require.NoError(t, err)
	r = newReader(t, dir)
	assert.Contains(t, anchorRefs(t, r, part), "run/a.txt#1")
}

// TestAnchorsAfterReindex: a reindex rebuilds the anchor index with the
// rest.
func TestAnchorsAfterReindex(t *testing.T) {
	l, dir := newLib(t, true)
	_, err := l.Import(context.Background(), sampleAssets())
	require.NoError(t, err)
	require.NoError(t, l.Reindex(context.Background(), kit.ReindexOptions{}))
	assert.Contains(t, anchorRefs(t, l, "每次跑完五公里膝盖就酸得不行"), "run/a.txt#1")
	m, err := manifest.Read(dir)
	require.NoError(t, err)
	require.NotNil(t, m.Anchors)
}

// TestAssetOf: every live element maps to its asset, on disk and in
// memory; removed and unknown refs map to nothing.
func TestAssetOf(t *testing.T) {
	disk, _ := newLib(t, true)
	_, err := disk.Import(context.Background(), sampleAssets())
	require.NoError(t, err)
	mem, err := Memory(context.Background(), elibtest.Engine(t), sampleAssets())
	require.NoError(t, err)
	for name, l := range map[string]*Library{"disk": disk, "memory": mem} {
		for _, id := range elibtest.Must(l.AssetIDs()) {
			for _, ref := range elibtest.Must(l.AssetElements(id)) {
				got, ok := l.AssetOf(ref)
				assert.True(t, ok, name)
				assert.Equal(t, id, got, name)
			}
		}
		_, ok := l.AssetOf(1 << 30)
		assert.False(t, ok, name)
		refs := elibtest.Must(l.AssetElements("cook/b.txt"))
		_, err := l.Remove(context.Background(), "cook/b.txt")
		require.NoError(t, err)
		for _, ref := range refs {
			_, ok := l.AssetOf(ref)
			assert.False(t, ok, "%s: removed", name)
		}
	}
}
