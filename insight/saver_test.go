package insight

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/index"
	"elib/internal/elibtest"
	"elib/library/kit"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

// interrupting is a library whose outcome store cancels the run once its
// first chunks are written, as Ctrl-C would part-way through.
type interrupting struct {
	kit.Library
	kit.OutcomeStore
	kit.PublishedIndex
	after  int // chunks written before the run is cancelled
	cancel context.CancelFunc

	mu       sync.Mutex
	chunks   int
	outcomes int
}

func (l *interrupting) PutOutcomes(seq uint64, outs map[string]*kit.Outcome) error {
	err := l.OutcomeStore.PutOutcomes(seq, outs)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.chunks++
	l.outcomes += len(outs)
	if l.chunks == l.after {
		l.cancel()
	}
	return err
}

// storedLibrary is a library keeping outcomes and published times.
type storedLibrary interface {
	kit.Library
	kit.OutcomeStore
	kit.PublishedIndex
}

// smallChunks makes outcome chunks of n for the test.
func smallChunks(t *testing.T, n int) {
	old := saveChunk
	saveChunk = n
	t.Cleanup(func() { saveChunk = old })
}

// freshOutcomes counts the assets with a fresh stored outcome.
func freshOutcomes(t *testing.T, lib storedLibrary) int {
	t.Helper()
	ids := elibtest.Must(lib.AssetIDs())
	outs := elibtest.Must(lib.Outcomes(ids))
	n := 0
	for _, o := range outs {
		if o != nil {
			n++
		}
	}
	return n
}

// assertInterruptedStatsResume: a stats run cancelled part-way keeps the
// chunks it finished (reopen reopens the library, as the next process
// would), the next run checks only the rest, and its answer equals a run
// never interrupted.
func assertInterruptedStatsResume(t *testing.T, lib storedLibrary, reopen func() storedLibrary) {
	t.Helper()
	engine := elibtest.Engine(t)
	ids := elibtest.Must(lib.AssetIDs())
	require.Zero(t, freshOutcomes(t, lib), "imported without outcomes")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &interrupting{Library: lib, OutcomeStore: lib, PublishedIndex: lib, after: 3, cancel: cancel}
	start := time.Now()
	_, err := Compute(ctx, engine, w, Options{Workers: 2})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, strings.Count(err.Error(), "canceled"), "one error line: %v", err)
	assert.Less(t, time.Since(start), 30*time.Second)

	lib = reopen()
	kept := freshOutcomes(t, lib)
	assert.GreaterOrEqual(t, kept, 3*saveChunk, "the chunks written before the cancel")
	assert.Equal(t, w.outcomes, kept, "every outcome written is kept, the last (partial) chunk included")
	require.Less(t, kept, len(ids), "cancelled part-way")
	t.Logf("%d of %d outcomes kept in %d chunks", kept, len(ids), w.chunks)

	st, err := Compute(context.Background(), engine, lib, Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: kept, Stale: len(ids) - kept, Saved: len(ids) - kept}, *st.Outcomes,
		"the second run checks only the rest")
	full, err := Compute(context.Background(), engine, lib, Options{Recompute: true})
	require.NoError(t, err)
	assert.Equal(t, comparable(full), comparable(st))
	again, err := Compute(context.Background(), engine, lib, Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: len(ids)}, *again.Outcomes)

	// Recompute (reindex, an import's outcomes) keeps its chunks too.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	w = &interrupting{Library: lib, OutcomeStore: lib, PublishedIndex: lib, after: 2, cancel: cancel}
	_, err = Recompute(ctx, engine, w, true, Options{Workers: 2})
	require.ErrorIs(t, err, context.Canceled)
	require.GreaterOrEqual(t, w.outcomes, 2*saveChunk)
	require.NoError(t, lib.MarkStale(ids))
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	w = &interrupting{Library: lib, OutcomeStore: lib, PublishedIndex: lib, after: 2, cancel: cancel}
	_, err = Recompute(ctx, engine, w, false, Options{Workers: 2})
	require.ErrorIs(t, err, context.Canceled)
	kept = freshOutcomes(t, lib)
	assert.Equal(t, w.outcomes, kept)
	n, err := Recompute(context.Background(), engine, lib, false, Options{})
	require.NoError(t, err)
	assert.Equal(t, len(ids)-kept, n, "the next recompute checks only the rest")
	again, err = Compute(context.Background(), engine, lib, Options{})
	require.NoError(t, err)
	assert.Equal(t, OutcomeCounts{Stored: len(ids)}, *again.Outcomes)
	assert.Equal(t, comparable(full), comparable(again))
}

func TestInterruptedStatsResumeOnTheFileLibrary(t *testing.T) {
	smallChunks(t, 10)
	engine := elibtest.Engine(t)
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	open := func() storedLibrary {
		l, err := index.Open(index.Options{Dir: dir, Engine: engine})
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		return l
	}
	lib := open().(*index.Library)
	_, err := lib.Import(context.Background(), generated(t, 1200, 3))
	require.NoError(t, err)
	assertInterruptedStatsResume(t, lib, func() storedLibrary {
		require.NoError(t, lib.Close())
		lib = open().(*index.Library)
		return lib
	})
}

func TestInterruptedStatsResumeOnPostgres(t *testing.T) {
	smallChunks(t, 10)
	engine := elibtest.Engine(t)
	ctx := context.Background()
	url := pgtest.Database(t)
	require.NoError(t, postgres.Init(ctx, url))
	open := func() storedLibrary {
		l, err := postgres.Open(ctx, postgres.Options{URL: url, Engine: engine, Workers: 2})
		require.NoError(t, err)
		t.Cleanup(func() { l.Close() })
		return l
	}
	lib := open()
	_, err := lib.Import(ctx, generated(t, 800, 3))
	require.NoError(t, err)
	assertInterruptedStatsResume(t, lib, open)
}

// TestReusedCheckersEqualFresh: one checker per worker, moved from asset
// to asset in any order, gives the outcomes a fresh checker per asset
// gives.
func TestReusedCheckersEqualFresh(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	lib, ids, tl := outOfOrderLibrary(t, 9)
	opts := Options{}
	opts.ensureDefaults()
	order := rand.New(rand.NewPCG(3, 5)).Perm(len(ids))
	pas := make([]periodAsset, len(ids))
	for i, id := range ids {
		a := elibtest.Must(lib.Asset(id))
		p, _ := a.Published()
		pas[i] = periodAsset{asset: a, published: p}
	}
	want := make([]*kit.Outcome, len(ids))
	for _, i := range order {
		want[i] = elibtest.Must(outcomeAsOf(ctx, engine, lib, tl, pas[i], opts))
	}
	reused := 0
	for _, o := range want {
		reused += o.Reused
	}
	require.Positive(t, reused, "the library reuses material")
	checkers := newAsOfCheckers(engine, lib, tl, opts)
	got := make([]*kit.Outcome, len(ids))
	forEach(ctx, 2, len(order), func(k int) {
		o, err := checkers.outcome(ctx, pas[order[k]])
		if err != nil {
			panic(err)
		}
		got[order[k]] = o
	})
	assert.LessOrEqual(t, len(checkers.free), 2, "one checker per worker")
	assert.Equal(t, want, got)
}
