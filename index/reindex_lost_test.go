package index

import (
	"context"
	"elib/internal/elibtest"
	"testing"

	"elib/library/kit"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReindexNamesAssetsItCannotCarryOver: a live asset whose stored
// record does not read back under its id (as libraries written before
// issue 15 hold for ids that were not valid UTF-8: the record decodes
// with U+FFFD) is named by the reindex, never dropped silently.
func TestReindexNamesAssetsItCannotCarryOver(t *testing.T) {
	ctx := context.Background()
	l, _ := newLib(t, true)
	_, err := l.Import(ctx, sampleAssets())
	require.NoError(t, err)
	require.Equal(t, 3, elibtest.Must(l.AssetCount()))

	// File the record of run/a.txt under the id the old code stored it as.
	l.mu.Lock()
	loc := l.assets["run/a.txt"]
	delete(l.assets, "run/a.txt")
	l.assets["\xff\xfe.txt"] = loc
	l.mu.Unlock()

	require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
	assert.Contains(t, l.Damage(), `lost asset "\xff\xfe.txt": no readable stored record with that id, not carried over`)
	assert.Equal(t, 2, elibtest.Must(l.AssetCount()))
}
