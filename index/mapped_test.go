package index

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/library/kit"
	"elib/vfs"
)

// TestCloseWhileChecksRead closes a file library, and retires its
// segments at once after a reindex, while readers fetch elements through
// the segments' mappings, and while they are warmed (run with -race): a
// read returns its element or an error — never a crash, never a wrong
// element.
func TestCloseWhileChecksRead(t *testing.T) {
	w, dir := newLib(t, true)
	ctx := context.Background()
	_, err := w.Import(ctx, sampleAssets())
	require.NoError(t, err)
	for i := 0; i < 8; i++ {
		_, err := w.Import(ctx, []element.Asset{script(fmt.Sprintf("x/%d.txt", i), "", "hook", storyCar+fmt.Sprint(i))})
		require.NoError(t, err)
	}
	want := map[uint32]string{}
	ids, err := w.AssetIDs()
	require.NoError(t, err)
	for _, id := range ids {
		refs, err := w.AssetElements(id)
		require.NoError(t, err)
		for _, ref := range refs {
			e, err := w.Element(ref)
			require.NoError(t, err)
			want[ref] = e.Text
		}
	}

	var closedReads atomic.Int64 // reads that met a closed mapping
	for round := 0; round < 10; round++ {
		// A one-block cache sends most reads to the segment files; every
		// other round warms the segments meanwhile (WarmSegments), which
		// Close stops.
		r, err := Open(Options{Dir: dir, ReadOnly: true, CacheBlocks: 1, WarmSegments: round%2 == 1})
		require.NoError(t, err)
		mapped := 0
		for _, s := range r.segs {
			if s.r.Mapped() {
				mapped++
			}
		}
		assert.Equal(t, len(r.segs), mapped, "segments of the OS file system are mapped")
		r.retireAfter = 1 // retired segments close at the next Refresh
		var wg sync.WaitGroup
		var reads atomic.Int64
		var wrong atomic.Value
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					for ref, text := range want {
						e, err := r.Element(ref)
						reads.Add(1)
						if err != nil {
							switch {
							case errors.Is(err, vfs.ErrMappingClosed):
								closedReads.Add(1)
							case !errors.Is(err, kit.ErrNotFound):
								wrong.Store(err.Error())
							}
							if r.closedNow() {
								return
							}
							continue
						}
						if e.Text != text && e.Ref == ref {
							wrong.Store(fmt.Sprintf("element %d: %q, want %q", ref, e.Text, text))
						}
					}
				}
			}()
		}
		for reads.Load() < 200 {
			runtime.Gosched()
		}
		if round%2 == 1 {
			// A reindex renumbers nothing here but rewrites every
			// segment: the reader retires the old ones and closes them.
			require.NoError(t, w.Reindex(ctx, kit.ReindexOptions{}))
			_, err := r.Refresh()
			require.NoError(t, err)
			_, err = r.Refresh() // closes the retired segments
			require.NoError(t, err)
		}
		require.NoError(t, r.Close())
		wg.Wait()
		if v := wrong.Load(); v != nil {
			t.Fatalf("round %d: %s", round, v)
		}
	}
	t.Logf("%d reads met a closed mapping", closedReads.Load())
}

// closedNow reports whether Close has run (tests).
func (l *Library) closedNow() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.closed
}
