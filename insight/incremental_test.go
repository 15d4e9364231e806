package insight

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library"
	"elib/library/kit"
)

// plainLibrary is a library without the orders an import keeps across
// its batches (kit.PublishedOrder, kit.OutcomeIndex): BeforeImport scans
// every stored outcome and AfterImport reads every asset's time, as they
// did before those.
type plainLibrary struct {
	kit.Library
	kit.OutcomeStore
	kit.OutcomeScanner
	kit.PublishedIndex
}

func plain(l *index.Library) *plainLibrary { return &plainLibrary{l, l, l, l} }

// TestImportOrdersEqualRebuilt: through an import in many batches —
// assets published before ones already there (which mark the later
// sharers stale), replacements of earlier assets — the timeline the
// import's checks read from the library's kept order of times equals the
// one read from every asset's time, the outcomes BeforeImport finds from
// the kept outcome index equal a scan of every outcome, before every
// batch, and the stored outcomes (with their stale marks) equal, byte for
// byte, those of the same import into a library without either (whose
// BeforeImport also names candidates through the library, not among the
// later assets' elements).
func TestImportOrdersEqualRebuilt(t *testing.T) {
	engine := elibtest.Engine(t)
	n := 3000
	if testing.Short() {
		n = 800
	}
	assets := generated(t, n, 5)
	// Some published before every asset imported ahead of them.
	for i := 60; i < len(assets); i += 41 {
		assets[i].Meta["published"] = time.Date(2026, 8, 20+i%10, 9, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
	// Earlier assets imported again, changed, some at a new time.
	for i := 5; i < len(assets)/2; i += 97 {
		a := assets[i]
		a.Meta = map[string]any{"published": a.Meta["published"], "platform": "抖音"}
		if i%2 == 0 {
			a.Meta["published"] = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
		}
		a.Elements = append([]element.Element(nil), a.Elements...)
		a.Elements[0].Text = assets[i+1].Elements[0].Text
		a.Reoffset()
		assets = append(assets, a)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	open := func() *index.Library {
		dir := filepath.Join(t.TempDir(), "lib")
		require.NoError(t, index.Init(dir))
		l, err := index.Open(index.Options{Dir: dir, Engine: engine, Now: func() time.Time { return now }})
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		return l
	}
	marked := map[bool]int{}
	run := func(l *index.Library, indexed bool) []byte {
		var lib kit.Library = l
		if !indexed {
			// Candidates named through the library, as before among.
			defer func(n int) { amongMax = n }(amongMax)
			amongMax = -1
			lib = plain(l)
		}
		batches := 0
		b := library.NewBatcher(lib, 300, nil)
		b.BeforeStore = func(ctx context.Context, as []element.Asset) error {
			batches++
			if indexed {
				assertChangesEqualScan(t, l, as, batches)
			}
			n, err := BeforeImport(ctx, engine, lib, as, Options{})
			marked[indexed] += n
			return err
		}
		b.AfterStore = func(ctx context.Context, as []kit.Prepared) error {
			if err := AfterImportPrepared(ctx, engine, lib, as, Options{}); err != nil {
				return err
			}
			if indexed {
				assertTimelineEqualRebuilt(t, l, batches)
			}
			return nil
		}
		for i := range assets {
			require.NoError(t, b.Add(ctx, assets[i].ID, assets[i:i+1]))
		}
		require.NoError(t, b.Flush(ctx))
		require.Greater(t, batches, 5)
		stored, err := l.StoredOutcomes()
		require.NoError(t, err)
		out, err := json.Marshal(stored)
		require.NoError(t, err)
		return out
	}
	want := run(open(), false)
	got := run(open(), true)
	assert.Equal(t, string(want), string(got))
	assert.Equal(t, marked[false], marked[true])
	assert.Positive(t, marked[true], "assets out of order and replacements mark outcomes stale")
}

// assertChangesEqualScan checks that the outcomes an import of as changes
// and may change, as the library's outcome index finds them, are those a
// scan of every stored outcome finds.
func assertChangesEqualScan(t *testing.T, l *index.Library, as []element.Asset, batch int) {
	t.Helper()
	ids := map[string]bool{}
	earliest := time.Time{}
	for i := range as {
		ids[as[i].ID] = true
		if p, ok := as[i].Published(); ok && (earliest.IsZero() || p.Before(earliest)) {
			earliest = p
		}
	}
	stale, later, err := importChanges(l, ids, earliest)
	require.NoError(t, err)
	wantStale, wantLater, err := importChanges(plain(l), ids, earliest)
	require.NoError(t, err)
	assert.Equal(t, wantStale, stale, "batch %d", batch)
	require.Equal(t, len(wantLater), len(later), "batch %d", batch)
	for id, p := range wantLater {
		assert.True(t, p.Equal(later[id]), "batch %d: %s at %v, want %v", batch, id, later[id], p)
	}
}

// assertTimelineEqualRebuilt checks the timeline from the library's kept
// order of times against the one read from every asset's time: the same
// assets, the same counts as of every time there is (and just around
// it), the same time by id.
func assertTimelineEqualRebuilt(t *testing.T, l *index.Library, batch int) {
	t.Helper()
	got, ok, err := orderedTimeline(l)
	require.NoError(t, err)
	require.True(t, ok)
	ids, err := l.AssetIDs()
	require.NoError(t, err)
	want, _, err := timelineOf(context.Background(), l, ids, make([]*kit.Outcome, len(ids)))
	require.NoError(t, err)
	require.Equal(t, want.total, got.total, "batch %d", batch)
	want.sortTimes()
	for _, ti := range want.sorted {
		for _, at := range []time.Time{ti, ti.Add(-time.Nanosecond), ti.Add(time.Nanosecond)} {
			require.Equal(t, want.upTo(at), got.upTo(at), "batch %d, as of %v", batch, at)
			require.Equal(t, want.hidesNothing(at), got.hidesNothing(at), "batch %d, as of %v", batch, at)
		}
	}
	for _, id := range append(ids, "no/such.txt") {
		require.True(t, want.get(id).Equal(got.get(id)), fmt.Sprintf("batch %d: %s", batch, id))
	}
}

// TestUndatedBatchesOfOneSecond: assets without a published time take
// the import's time, stamped when their batch is prepared — while the
// batch before is still being stored, so seconds before BeforeImport
// runs. BeforeImport reads that stamp (the Batcher hands it the assets as
// stored), so a batch stamped in the same second as the one before (here
// the library's clock stands still) marks stale the earlier assets whose
// candidates it shares: their as-of views now show it. The stored path
// then equals a recompute.
func TestUndatedBatchesOfOneSecond(t *testing.T) {
	engine := elibtest.Engine(t)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	lib, err := index.Open(index.Options{Dir: dir, Engine: engine, NoFulltext: true, Now: func() time.Time { return now }})
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	undated := func(id string, texts ...string) element.Asset {
		a := scripted(id, "", "抖音", texts...)
		delete(a.Meta, "published")
		return a
	}
	importWithOutcomes(t, engine, lib, []element.Asset{
		undated("u1", hitHook, fresh[3]),
		undated("other", fresh[6], fresh[7]),
		undated("u2", hitHook, fresh[4]),
	}, 1)
	st, err := lib.StoredOutcomes()
	require.NoError(t, err)
	var stale []string
	for id, so := range st {
		assert.True(t, so.Outcome.Published.Equal(now), id)
		if so.Stale {
			stale = append(stale, id)
		}
	}
	assert.Equal(t, []string{"u1"}, stale, "u2, of the same second, shares u1's hook")
	assertSameStats(t, engine, lib, now.Add(time.Hour), -1)
}
