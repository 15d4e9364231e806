package postgres_test

import (
	"context"
	"elib/internal/elibtest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/history"
	"elib/library/postgres"
	"elib/library/postgres/pgtest"
)

// TestMigratesToHistorySchema: a schema-3 database (before the check
// history) is refused until elib init migrates it; the library is kept
// and then records and lists checks.
func TestMigratesToHistorySchema(t *testing.T) {
	ctx := context.Background()
	l, url := newLibrary(t)
	_, err := l.Import(ctx, assets("hist", 2))
	require.NoError(t, err)
	require.NoError(t, pgtest.DowngradeToSchema3(ctx, url))
	_, err = postgres.Open(ctx, postgres.Options{URL: url})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run elib init to migrate it")
	from, err := postgres.InitWith(ctx, url, postgres.InitOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3, from)

	l2 := open(t, url)
	assert.Equal(t, 2, elibtest.Must(l2.AssetCount()))
	at := time.Date(2026, 11, 3, 3, 30, 0, 123456000, time.UTC)
	require.NoError(t, l2.AppendHistory(ctx, []history.Entry{
		{Time: at, Who: "alice", Via: "serve", File: "a.md", Verdict: "reject", Duplication: 0.8, Level: "L5", TopSource: "hist-000"},
		{Time: at.Add(time.Second), Who: "bob", Via: "cli", File: "b.md", Verdict: "pass", Duplication: 0.1, Level: "L2"},
	}))
	got, err := l2.History(ctx, history.Filter{Verdict: "reject"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "hist-000", got[0].TopSource)
	assert.True(t, got[0].Time.Equal(at))
	gen := elibtest.Must(l2.Generation())
	require.NoError(t, l2.AppendHistory(ctx, []history.Entry{{Time: at.Add(time.Minute), Who: "c", File: "c.md", Verdict: "pass"}}))
	assert.Equal(t, gen, elibtest.Must(l2.Generation()), "recording a check is no change of the library")
}
