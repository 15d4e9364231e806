package library_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/library"
	"elib/library/kit"
	"elib/library/postgres/pgtest"
)

// TestSettingsKeptWithTheLibrary: the team's time zone is kept with a file
// and a PostgreSQL library, across a reindex and reopening; a library
// that never set one has none; an in-memory library keeps none.
func TestSettingsKeptWithTheLibrary(t *testing.T) {
	ctx := context.Background()
	for name, loc := range map[string]func(t *testing.T) string{
		"file":     func(t *testing.T) string { return filepath.Join(t.TempDir(), "lib") },
		"postgres": func(t *testing.T) string { return pgtest.Database(t) },
	} {
		t.Run(name, func(t *testing.T) {
			at := loc(t)
			l := openAt(t, at)
			set, err := library.ReadSettings(ctx, at)
			require.NoError(t, err)
			assert.Equal(t, library.Settings{}, set, "none before it is set")
			require.NoError(t, library.WriteSettings(ctx, at, library.Settings{TimeZone: "Asia/Tokyo"}))
			_, err = l.Import(ctx, sampleAssets())
			require.NoError(t, err)
			require.NoError(t, l.Reindex(ctx, kit.ReindexOptions{}))
			require.NoError(t, l.Close())
			set, err = library.ReadSettings(ctx, at)
			require.NoError(t, err)
			assert.Equal(t, "Asia/Tokyo", set.TimeZone)
			require.NoError(t, library.WriteSettings(ctx, at, library.Settings{TimeZone: "Asia/Shanghai"}))
			set, err = library.ReadSettings(ctx, at)
			require.NoError(t, err)
			assert.Equal(t, "Asia/Shanghai", set.TimeZone)
			l2, err := library.Open(ctx, at, library.Options{ReadOnly: true})
			require.NoError(t, err, "the settings do not disturb the library")
			require.NoError(t, l2.Close())
		})
	}
	set, err := library.ReadSettings(ctx, library.MemoryLocation)
	require.NoError(t, err)
	assert.Equal(t, library.Settings{}, set)
	assert.ErrorIs(t, library.WriteSettings(ctx, library.MemoryLocation, library.Settings{TimeZone: "UTC"}), library.ErrNoSettings)
}
