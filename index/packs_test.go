package index

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/internal/elibtest"
	"elib/library/kit"
)

func TestPacksDurableAndKeptByReindex(t *testing.T) {
	l, dir := newLib(t, true)
	ctx := context.Background()
	_, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	p := kit.Pack{Title: "跑鞋", From: "run/a.txt", Created: "2026-12-01T00:00:00Z", Elements: []kit.PackElement{
		{ElementID: "run/a.txt#1", Type: "hook", Text: hookRun, Slot: true},
		{ElementID: "run/a.txt#2", Type: "testimonial", Text: testiRun, Attributes: map[string]any{"camera": "推近"}},
	}}
	id, err := l.PackAdd(p)
	require.NoError(t, err)
	assert.Equal(t, "pack-1", id)
	id2, err := l.PackAdd(p)
	require.NoError(t, err)
	assert.Equal(t, "pack-2", id2)
	p.ID = "pack-1"
	_, err = l.PackAdd(p)
	assert.True(t, errors.Is(err, kit.ErrPackExists), "%v", err)
	require.NoError(t, l.PackRemove("pack-2"))
	assert.True(t, errors.Is(l.PackRemove("pack-2"), kit.ErrNotFound))

	// A reader in another process sees it; a reindex keeps it.
	r, err := Open(Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	got, err := r.Pack("pack-1")
	require.NoError(t, err)
	assert.Equal(t, p, got)
	_, err = r.PackAdd(p)
	assert.True(t, errors.Is(err, kit.ErrReadOnly))
	require.NoError(t, r.Close())

	require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
	require.NoError(t, l.Close())
	l2, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true})
	require.NoError(t, err)
	defer l2.Close()
	assert.Len(t, elibtest.Must(l2.Packs()), 1)
	got, err = l2.Pack("pack-1")
	require.NoError(t, err)
	assert.Equal(t, "推近", got.Elements[1].Attributes["camera"])
	// The returned packs are copies.
	got.Elements[0].Text = "changed"
	again, _ := l2.Pack("pack-1")
	assert.Equal(t, hookRun, again.Elements[0].Text)
}

func TestImportStampsImportTime(t *testing.T) {
	dir := t.TempDir() + "/lib"
	require.NoError(t, Init(dir))
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	l, err := Open(Options{Dir: dir, Engine: elibtest.Engine(t), NoFulltext: true, Now: func() time.Time { return now }})
	require.NoError(t, err)
	defer l.Close()
	in := sampleAssets()
	in[1].Meta = map[string]any{"imported": "2026-01-01T00:00:00Z"}
	_, err = l.Import(context.Background(), in)
	require.NoError(t, err)
	assert.NotContains(t, in[0].Meta, "imported", "the caller's asset is not changed")
	a, err := l.Asset("run/a.txt")
	require.NoError(t, err)
	p, ok := a.Published()
	require.True(t, ok)
	assert.Equal(t, now, p)
	b, err := l.Asset("cook/b.txt")
	require.NoError(t, err)
	p, _ = b.Published()
	assert.Equal(t, "2026-01-01", p.Format(time.DateOnly), "an existing import time is kept (reindex from the store)")
}
