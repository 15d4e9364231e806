package library_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/history"
	"elib/library"
	"elib/library/kit"
	"elib/library/postgres/pgtest"
)

func historyEntries(base time.Time) []history.Entry {
	return []history.Entry{
		{Time: base, Who: "alice", Via: "serve", File: "drafts/a.md", AssetID: "drafts/a.md", Verdict: "reject", Duplication: 0.91, Level: "L5", TopSource: "run/a.txt", TopSourceTitle: "跑鞋"},
		{Time: base.Add(time.Hour), Who: "bob", Via: "cli", File: "drafts/b.md", AssetID: "drafts/b.md", Verdict: "pass", Duplication: 0.05, Level: "L1"},
		{Time: base.Add(48 * time.Hour), Who: "token:ci", Via: "serve", File: "input.txt", Verdict: "pass", Duplication: 0.2, Level: "L2"},
	}
}

// TestHistoryKeptAcrossReindexRestartAndMigrate (issue 24): the check
// history of the file and the PostgreSQL library survives reindex and a
// reopen, filters by time and verdict, and migrate copies it both ways
// without copying an entry twice when run again.
func TestHistoryKeptAcrossReindexRestartAndMigrate(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 11, 3, 3, 30, 0, 0, time.UTC)
	locations := map[string]func(t *testing.T) string{
		"file":     func(t *testing.T) string { return filepath.Join(t.TempDir(), "lib") },
		"postgres": func(t *testing.T) string { return pgtest.Database(t) },
	}
	for name, loc := range locations {
		t.Run(name, func(t *testing.T) {
			at := loc(t)
			l := openAt(t, at)
			_, err := l.Import(ctx, sampleAssets())
			require.NoError(t, err)
			store, ok := l.(history.Store)
			require.True(t, ok, "%T keeps no history", l)
			got, err := store.History(ctx, history.Filter{})
			require.NoError(t, err)
			assert.Empty(t, got)
			require.NoError(t, store.AppendHistory(ctx, historyEntries(base)[:2]))
			require.NoError(t, store.AppendHistory(ctx, historyEntries(base)[2:]))
			require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
			require.NoError(t, l.Close())

			// A restart: a new process opens the library read-only.
			l2, err := library.Open(ctx, at, library.Options{ReadOnly: true})
			require.NoError(t, err)
			defer l2.Close()
			store = l2.(history.Store)
			got, err = store.History(ctx, history.Filter{})
			require.NoError(t, err)
			require.Len(t, got, 3)
			assert.Equal(t, historyEntries(base)[0].TopSourceTitle, got[0].TopSourceTitle)
			assert.True(t, got[0].Time.Equal(base))
			assert.Equal(t, []string{"alice", "bob", "token:ci"}, []string{got[0].Who, got[1].Who, got[2].Who})

			got, err = store.History(ctx, history.Filter{Verdict: "pass"})
			require.NoError(t, err)
			assert.Len(t, got, 2)
			got, err = store.History(ctx, history.Filter{Since: base.Add(30 * time.Minute)})
			require.NoError(t, err)
			assert.Len(t, got, 2)
			got, err = store.History(ctx, history.Filter{Until: base.Add(2 * time.Hour), Verdict: "pass"})
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, "bob", got[0].Who)
			got, err = store.History(ctx, history.Filter{Limit: 2})
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, "bob", got[0].Who, "the newest two, oldest first")

			// A read-only open still records checks (a check is no change).
			require.NoError(t, store.AppendHistory(ctx, []history.Entry{{Time: base.Add(72 * time.Hour), Who: "carol", Via: "cli", File: "c.md", Verdict: "reject", Duplication: 0.7, Level: "L4"}}))

			// Migrate to the other backend, twice: 4 entries, not 8.
			other := pgtest.Database(t)
			if name == "postgres" {
				other = filepath.Join(t.TempDir(), "copy")
			}
			dst := openAt(t, other)
			for range 2 {
				_, err = library.Migrate(ctx, l2, dst, nil)
				require.NoError(t, err)
			}
			got, err = dst.(history.Store).History(ctx, history.Filter{})
			require.NoError(t, err)
			require.Len(t, got, 4)
			assert.Equal(t, "carol", got[3].Who)
			assert.InDelta(t, 0.91, got[0].Duplication, 1e-9)
		})
	}
}

// TestHistoryAppendsFromTwoHandles: a writer and a read-only server of one
// file library record checks at the same time; every entry is readable
// whole right after its append returns (before any sync), and after both
// close.
func TestHistoryAppendsFromTwoHandles(t *testing.T) {
	ctx := context.Background()
	at := filepath.Join(t.TempDir(), "lib")
	w := openAt(t, at)
	r, err := library.Open(ctx, at, library.Options{ReadOnly: true})
	require.NoError(t, err)
	base := time.Date(2026, 11, 3, 3, 30, 0, 0, time.UTC)
	const each = 100
	var wg sync.WaitGroup
	for _, l := range []kit.Library{w, r} {
		wg.Add(1)
		go func(store history.Store) {
			defer wg.Done()
			for i := range each {
				e := historyEntries(base)[i%3]
				e.Time = base.Add(time.Duration(i) * time.Minute)
				assert.NoError(t, store.AppendHistory(ctx, []history.Entry{e}))
			}
		}(l.(history.Store))
	}
	wg.Wait()
	got, err := r.(history.Store).History(ctx, history.Filter{})
	require.NoError(t, err)
	assert.Len(t, got, 2*each, "written entries are readable before their sync")
	require.NoError(t, r.Close())
	require.NoError(t, w.Close())
	again, err := library.Open(ctx, at, library.Options{ReadOnly: true})
	require.NoError(t, err)
	defer again.Close()
	got, err = again.(history.Store).History(ctx, history.Filter{})
	require.NoError(t, err)
	assert.Len(t, got, 2*each)
}
