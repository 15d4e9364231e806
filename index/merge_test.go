package index

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/internal/elibtest"
	"elib/internal/pace"
)

// TestMergeAfterWrites: with the option, an import's index entries are
// merged in the background (nothing is left for a Merge afterwards) and
// still found; without it they wait for the next open.
func TestMergeAfterWrites(t *testing.T) {
	for _, merge := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "lib")
		require.NoError(t, Init(dir))
		l, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true, MergeAfterWrites: merge})
		require.NoError(t, err)
		ctx := context.Background()
		_, err = l.Import(ctx, sampleAssets())
		require.NoError(t, err)
		_, err = l.Import(ctx, []element.Asset{script("camp/d.txt", "营地灯", "hook", hookNew, "conversion", convRun)})
		require.NoError(t, err)
		if merge {
			require.Eventually(t, func() bool { return !l.merging.Load() }, 5*time.Second, time.Millisecond)
			assert.Zero(t, l.lsh.Merge(), "LSH bands left unmerged")
			assert.Zero(t, l.anchors.Merge(), "anchor band left unmerged")
		} else {
			assert.NotZero(t, l.lsh.Merge(), "without the option the import's entries stay in their runs")
		}
		assert.True(t, candidates(t, l, hookNew)["camp/d.txt#1"])
		assert.True(t, candidates(t, l, hookRun)["run/a.txt#1"])
		require.NoError(t, l.Close())
	}
}

// TestMergeAfterWritesPaced: the background merge after an import under a
// pace (an API import's) waits for the pace, after the import returned and
// its context ended, but for maxMergeYield in all: under checks that never
// pause it still merges everything soon after.
func TestMergeAfterWritesPaced(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, Init(dir))
	l, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true, MergeAfterWrites: true})
	require.NoError(t, err)
	defer l.Close()
	_, err = l.Import(context.Background(), sampleAssets())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return !l.merging.Load() }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	var mergeWaits atomic.Int32
	ctx = pace.With(ctx, func(c context.Context) {
		if _, ok := c.Deadline(); ok { // the merge's, cut short at maxMergeYield
			mergeWaits.Add(1)
			<-c.Done() // checks that never pause
		}
	})
	start := time.Now()
	_, err = l.Import(ctx, []element.Asset{script("camp/d.txt", "营地灯", "hook", hookNew, "conversion", convRun)})
	require.NoError(t, err)
	cancel() // as a request's context ends when the import answers
	require.Eventually(t, func() bool { return mergeWaits.Load() > 0 && !l.merging.Load() }, 5*time.Second, time.Millisecond)
	assert.GreaterOrEqual(t, time.Since(start), maxMergeYield, "the merge yielded")
	assert.Zero(t, l.lsh.Merge(), "LSH bands left unmerged")
	assert.Zero(t, l.anchors.Merge(), "anchor band left unmerged")
	assert.True(t, candidates(t, l, hookNew)["camp/d.txt#1"])
}

// TestOpenStopsWhileCatchingUpSearch: a writer's open that must catch a
// stale search index up stops when its context is done, with the
// context's error; the next open catches up and search finds the text.
func TestOpenStopsWhileCatchingUpSearch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, Init(dir))
	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.NoError(t, err)
	_, err = w.Import(context.Background(), sampleAssets())
	require.NoError(t, err)
	require.NoError(t, w.Close())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = OpenContext(ctx, Options{Dir: dir, Engine: elibtest.Engine(t)})
	require.ErrorIs(t, err, context.Canceled)

	l, err := OpenContext(context.Background(), Options{Dir: dir, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	defer l.Close()
	assert.True(t, searchIDs(t, l, "膝盖")["run/a.txt#1"], "caught up at the second open")
}

// TestOpenCatchUpMerged: an open adds the segments its snapshots do not
// cover as one more run per band and merges it in the background; the
// candidates are found before and after.
func TestOpenCatchUpMerged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, Init(dir))
	w, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.NoError(t, err)
	ctx := context.Background()
	assets := sampleAssets() // and enough more that one asset's entries stay a run of their own
	for i := range 60 {
		assets = append(assets, elibtest.Script(fmt.Sprintf("gen/%02d.md", i), "t", "hook", fmt.Sprintf("第%d个脚本的开头写在这里，然后是正文内容。", i)))
	}
	_, err = w.Import(ctx, assets)
	require.NoError(t, err)
	_, err = w.Import(ctx, []element.Asset{script("camp/d.txt", "营地灯", "hook", hookNew, "conversion", convRun)})
	require.NoError(t, err)
	require.NoError(t, w.Close())
	last := w.man.Segments[len(w.man.Segments)-1].Seq
	require.Less(t, w.man.LSH.Seq, last, "the snapshots lag a segment")
	require.Less(t, w.man.Anchors.Seq, last, "the snapshots lag a segment")

	l, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), ReadOnly: true, NoFulltext: true})
	require.NoError(t, err)
	defer l.Close()
	assert.True(t, candidates(t, l, hookNew)["camp/d.txt#1"])
	assert.True(t, candidates(t, l, hookRun)["run/a.txt#1"])
	require.NotNil(t, l.caughtUp)
	select {
	case <-l.caughtUp:
	case <-time.After(5 * time.Second):
		t.Fatal("the open's merge did not end")
	}
	assert.Zero(t, l.lsh.Merge(), "LSH bands left unmerged")
	assert.Zero(t, l.anchors.Merge(), "anchor band left unmerged")
	assert.True(t, candidates(t, l, hookNew)["camp/d.txt#1"])
	assert.True(t, candidates(t, l, hookRun)["run/a.txt#1"])
}
