package index

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/normalize"
	"elib/fingerprint/winnow"
	"elib/fulltext"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// hookNew is copy no sample asset shares.
const hookNew = "露营的时候千万别忘了带这盏折叠营地灯，充一次电能亮整整七个晚上"

// newReader opens dir read-only, as elib serve does without a token.
func newReader(t *testing.T, dir string) *Library {
	t.Helper()
	r, err := Open(Options{Dir: dir, ReadOnly: true, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

// searchIDs returns the element ids a full-text query finds.
func searchIDs(t *testing.T, l *Library, text string) map[string]bool {
	t.Helper()
	res, err := l.Search(context.Background(), fulltext.Query{Text: text, Limit: 50})
	require.NoError(t, err)
	out := map[string]bool{}
	for _, h := range res.Hits {
		out[h.ID] = true
	}
	return out
}

func TestRefreshSeesImport(t *testing.T) {
	w, dir := newLib(t, false)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	r := newReader(t, dir)

	changed, err := r.Refresh()
	require.NoError(t, err)
	assert.False(t, changed, "nothing committed since Open")
	before := append([]*segment(nil), r.segs...)

	_, err = w.Import(ctx, []element.Asset{script("camp/d.txt", "营地灯", "hook", hookNew, "conversion", convRun)})
	require.NoError(t, err)
	_, err = r.ElementByID("camp/d.txt#1")
	require.ErrorIs(t, err, kit.ErrNotFound, "not visible before Refresh")
	assert.Equal(t, 3, elibtest.Must(r.AssetCount()))

	changed, err = r.Refresh()
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, elibtest.Must(w.Generation()), elibtest.Must(r.Generation()))

	e, err := r.ElementByID("camp/d.txt#1")
	require.NoError(t, err)
	assert.Equal(t, hookNew, e.Text)
	got, err := r.Element(e.Ref)
	require.NoError(t, err)
	assert.Equal(t, "camp/d.txt#1", got.ID)
	assert.True(t, candidates(t, r, hookNew)["camp/d.txt#1"])
	assert.True(t, candidates(t, r, hookRun)["run/a.txt#1"], "old material is still found")
	assert.Equal(t, 4, elibtest.Must(r.AssetCount()))
	assert.Equal(t, 9, elibtest.Must(r.ElementCount()))
	a, err := r.Asset("camp/d.txt")
	require.NoError(t, err)
	assert.Equal(t, "营地灯", a.Title)

	st, err := r.Stats()
	require.NoError(t, err)
	wst, err := w.Stats()
	require.NoError(t, err)
	assert.Equal(t, wst.Assets, st.Assets)
	assert.Equal(t, wst.Elements, st.Elements)
	assert.Equal(t, wst.ByType, st.ByType)
	assert.Equal(t, wst.Generation, st.Generation)
	assert.Equal(t, 2, st.Segments)

	assert.True(t, searchIDs(t, r, "营地灯")["camp/d.txt#1"])

	// The segment that was open already is taken over, not reopened.
	require.Len(t, before, 1)
	assert.Same(t, before[0], r.segs[0])
	assert.Empty(t, r.retired, "nothing was replaced")

	changed, err = r.Refresh()
	require.NoError(t, err)
	assert.False(t, changed)
}

func TestRefreshSeesRemoveAndAllowlist(t *testing.T) {
	w, dir := newLib(t, false)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	r := newReader(t, dir)
	require.True(t, searchIDs(t, r, "膝盖")["run/a.txt#1"])

	_, err = w.Remove(ctx, "run/a.txt", "cook/b.txt#2")
	require.NoError(t, err)
	require.NoError(t, w.AllowlistAdd("理性消费"))
	changed, err := r.Refresh()
	require.NoError(t, err)
	assert.True(t, changed)

	_, err = r.Asset("run/a.txt")
	assert.ErrorIs(t, err, kit.ErrNotFound)
	_, err = r.ElementByID("cook/b.txt#2")
	assert.ErrorIs(t, err, kit.ErrNotFound)
	_, err = r.ElementByID("cook/b.txt#1")
	assert.NoError(t, err)
	assert.False(t, candidates(t, r, hookRun)["run/a.txt#1"])
	assert.Equal(t, 2, elibtest.Must(r.AssetCount()))
	assert.Equal(t, 3, elibtest.Must(r.ElementCount()))
	assert.Equal(t, []string{"理性消费"}, elibtest.Must(r.Allowlist()))
	assert.Empty(t, searchIDs(t, r, "膝盖"))
}

func TestRefreshSeesReindex(t *testing.T) {
	w, dir := newLib(t, false)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	_, err = w.Import(ctx, []element.Asset{script("camp/d.txt", "营地灯", "hook", hookNew)})
	require.NoError(t, err)
	_, err = w.Remove(ctx, "car/c.txt#1")
	require.NoError(t, err)
	r := newReader(t, dir)
	require.True(t, searchIDs(t, r, "营地灯")["camp/d.txt#1"])
	old := append([]*segment(nil), r.segs...)
	require.Len(t, old, 3)

	require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
	changed, err := r.Refresh()
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, elibtest.Must(w.Generation()), elibtest.Must(r.Generation()))

	// A reindex writes a new generation: every segment is new, the old
	// ones (deleted by the writer) are retired, not closed under readers.
	require.Len(t, r.segs, 1)
	for _, s := range old {
		assert.NotSame(t, s, r.segs[0])
	}
	assert.Len(t, r.retired, len(old)+1, "three segments and the search index handle")
	e, err := r.ElementByID("car/c.txt#1")
	require.NoError(t, err)
	assert.Equal(t, element.Conversion, e.Type, "renumbered like the writer's")
	assert.True(t, candidates(t, r, hookNew)["camp/d.txt#1"])
	assert.Equal(t, 4, elibtest.Must(r.AssetCount()))
	assert.Equal(t, 7, elibtest.Must(r.ElementCount()))
	assert.True(t, searchIDs(t, r, "营地灯")["camp/d.txt#1"], "search follows the new generation's index")

	// Old segments still read for a reader that took one before the swap.
	_, err = old[0].r.ElementBlock(0)
	require.NoError(t, err)

	// A later Refresh closes what was retired long enough ago.
	r.wmu.Lock()
	r.retireAfter = time.Nanosecond
	r.wmu.Unlock()
	changed, err = r.Refresh()
	require.NoError(t, err)
	assert.False(t, changed)
	assert.Empty(t, r.retired)
	_, err = old[0].r.ElementBlock(0)
	assert.Error(t, err, "closed")
	_, err = r.ElementByID("camp/d.txt#1")
	assert.NoError(t, err)
}

func TestRefreshNoopAndClosed(t *testing.T) {
	w, dir := newLib(t, true)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	changed, err := w.Refresh()
	require.NoError(t, err)
	assert.False(t, changed, "a writer is always current")

	m, err := Memory(ctx, elibtest.Engine(t), sampleAssets())
	require.NoError(t, err)
	changed, err = m.Refresh()
	require.NoError(t, err)
	assert.False(t, changed)

	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	_, err = w.Import(ctx, []element.Asset{script("camp/d.txt", "", "hook", hookNew)})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	_, err = r.Refresh()
	assert.ErrorContains(t, err, "closed")
}

// TestRefreshConcurrentReaders runs readers in a loop while a writer in the
// same directory imports, removes and reindexes and the reader library
// refreshes after each commit: the only error a reader may see is
// kit.ErrNotFound (an element that went away between two calls).
func TestRefreshConcurrentReaders(t *testing.T) {
	w, dir := newLib(t, true)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	// A one-block cache sends most reads to the segment files.
	r, err := Open(Options{Dir: dir, ReadOnly: true, Engine: elibtest.Engine(t), CacheBlocks: 1})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })

	e := elibtest.Engine(t)
	keys := e.BandKeys(nil, e.Fingerprint(hookRun).Signature)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads atomic.Int64
	errc := make(chan error, 16)
	report := func(err error) {
		if err != nil && !errors.Is(err, kit.ErrNotFound) {
			select {
			case errc <- err:
			default:
			}
		}
	}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				r.Candidates(keys, func(ref uint32) {
					_, err := r.Element(ref)
					report(err)
				})
				_, err := r.Element(uint32(i % 64))
				report(err)
				_, err = r.Asset("run/a.txt")
				report(err)
				_, err = r.Asset(fmt.Sprintf("x/%d.txt", i%12))
				report(err)
				_, err = r.ElementByID(fmt.Sprintf("x/%d.txt#1", i%12))
				report(err)
				for _, ref := range elibtest.Must(r.AssetElements("cook/b.txt")) {
					_, err := r.Element(ref)
					report(err)
				}
				r.AssetCount()
				r.SentenceDF(uint64(i))
				reads.Add(1)
			}
		}()
	}
	refreshes := 0
	for i := 0; i < 12; i++ {
		_, err := w.Import(ctx, []element.Asset{script(fmt.Sprintf("x/%d.txt", i), "", "hook", storyCar+fmt.Sprint(i))})
		require.NoError(t, err)
		switch i {
		case 5:
			_, err = w.Remove(ctx, "x/2.txt")
			require.NoError(t, err)
		case 8:
			require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
		}
		changed, err := r.Refresh()
		require.NoError(t, err)
		if changed {
			refreshes++
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errc)
	for err := range errc {
		assert.NoError(t, err)
	}
	assert.Equal(t, 12, refreshes)
	assert.Equal(t, 14, elibtest.Must(r.AssetCount()))
	assert.Equal(t, elibtest.Must(w.ElementCount()), elibtest.Must(r.ElementCount()))
	assert.NotZero(t, reads.Load())
	t.Logf("%d reader loops during 12 refreshes", reads.Load())
}

// sameState asserts that a refreshed reader holds what a library freshly
// opened on dir holds: assets, elements, allowlist, LSH candidates of every
// element and the boilerplate sketch.
func sameState(t *testing.T, r *Library, dir string) {
	t.Helper()
	fresh, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer fresh.Close()
	assert.Equal(t, elibtest.Must(fresh.Generation()), elibtest.Must(r.Generation()))
	assert.Equal(t, elibtest.Must(fresh.AssetIDs()), elibtest.Must(r.AssetIDs()))
	assert.Equal(t, elibtest.Must(fresh.ElementCount()), elibtest.Must(r.ElementCount()))
	assert.Equal(t, elibtest.Must(fresh.Allowlist()), elibtest.Must(r.Allowlist()))
	assert.Equal(t, fresh.lsh.Len(), r.lsh.Len(), "ids in the LSH index")
	for _, id := range elibtest.Must(fresh.AssetIDs()) {
		want, err := fresh.Asset(id)
		require.NoError(t, err)
		got, err := r.Asset(id)
		require.NoError(t, err)
		assert.Equal(t, want, got, id)
		refs := elibtest.Must(fresh.AssetElements(id))
		require.Equal(t, refs, elibtest.Must(r.AssetElements(id)), id)
		for _, ref := range refs {
			e, err := fresh.Element(ref)
			require.NoError(t, err)
			keys := fresh.params.BandKeys(nil, e.Signature)
			counts := func(l *Library) map[uint32]int {
				out := map[uint32]int{}
				l.CandidateCounts(keys, func(ref uint32, bands int) { out[ref] = bands })
				return out
			}
			assert.Equal(t, counts(fresh), counts(r), "candidates of %s ref %d", id, ref)
		}
	}
	assert.Equal(t, fresh.anchors.Len(), r.anchors.Len(), "ids in the anchor index")
	for _, id := range elibtest.Must(fresh.AssetIDs()) {
		a, err := fresh.Asset(id)
		require.NoError(t, err)
		hashes := winnow.Hashes(normalize.New().Normalize(a.CopyText()).Runes)
		hits := func(l *Library) map[[2]uint32]bool {
			out := map[[2]uint32]bool{}
			l.AnchorHolders(hashes, 1000, func(i int, ref uint32) { out[[2]uint32{uint32(i), ref}] = true })
			return out
		}
		assert.Equal(t, hits(fresh), hits(r), "anchor hits of %s", id)
	}
	wantSketch, err := fresh.sketch.MarshalBinary()
	require.NoError(t, err)
	gotSketch, err := r.sketch.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, wantSketch, gotSketch, "boilerplate sketch")
}

// TestRefreshAppendedMatchesOpen: imports, a replacement, removals and an
// allowlist edit only append segments, so Refresh applies just those — and
// ends in the state a fresh Open builds. A reindex takes the full rebuild.
func TestRefreshAppendedMatchesOpen(t *testing.T) {
	w, dir := newLib(t, false)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	r := newReader(t, dir)
	before := append([]*segment(nil), r.segs...)

	steps := []struct {
		name string
		do   func() error
	}{
		{"import", func() error {
			_, err := w.Import(ctx, []element.Asset{script("camp/d.txt", "营地灯", "hook", hookNew, "conversion", convRun)})
			return err
		}},
		{"replace", func() error {
			_, err := w.Import(ctx, []element.Asset{script("run/a.txt", "跑鞋二代", "hook", hookRun, "conversion", "评论区扣一，我把尺码表发给你")})
			return err
		}},
		{"remove asset and element", func() error {
			_, err := w.Remove(ctx, "car/c.txt", "cook/b.txt#2")
			return err
		}},
		{"allowlist", func() error { return w.AllowlistAdd("理性消费") }},
		{"import and remove in one refresh", func() error {
			if _, err := w.Import(ctx, []element.Asset{script("tmp/e.txt", "临时", "hook", "这条素材导入后马上又被删除了，读者只会一次看到两个变化")}); err != nil {
				return err
			}
			_, err := w.Remove(ctx, "tmp/e.txt")
			return err
		}},
	}
	for i, st := range steps {
		require.NoError(t, st.do(), st.name)
		changed, err := r.Refresh()
		require.NoError(t, err, st.name)
		assert.True(t, changed, st.name)
		assert.Equal(t, i+1, r.appended, "%s: the append-only path", st.name)
		sameState(t, r, dir)
	}
	assert.Equal(t, before, r.segs[:len(before)], "loaded segments kept")
	assert.Empty(t, r.retired, "no segment replaced")

	err = w.Reindex(ctx, kit.ReindexOptions{})
	require.NoError(t, err)
	changed, err := r.Refresh()
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, len(steps), r.appended, "a reindex rebuilds")
	sameState(t, r, dir)
}
