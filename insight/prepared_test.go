package insight

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/corpus"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// TestPreparedOutcomesEqualAfterImport: an import whose outcomes take the
// import's fingerprints (AfterImportPrepared, as elib import runs it)
// stores the outcomes, byte for byte, of the same import whose outcomes
// fingerprint every asset again (AfterImport of the ids), on the sample
// and on a generated library, each into a file library at the same clock.
func TestPreparedOutcomesEqualAfterImport(t *testing.T) {
	engine := elibtest.Engine(t)
	sample, err := corpus.SampleAssets()
	require.NoError(t, err)
	variants, err := corpus.CreatorVariants()
	require.NoError(t, err)
	n := 4000
	if testing.Short() {
		n = 600
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		assets []element.Asset
		batch  int
		allow  []string
	}{
		{"sample", append(sample, variants...), 2000, corpus.Allowlist()},
		{"generated", generated(t, n, 3), n / 4, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outcomes := func(prepared bool) []byte {
				dir := filepath.Join(t.TempDir(), "lib")
				require.NoError(t, index.Init(dir))
				lib, err := index.Open(index.Options{Dir: dir, Engine: engine, Now: func() time.Time { return now }})
				require.NoError(t, err)
				defer lib.Close()
				if len(tc.allow) > 0 {
					require.NoError(t, lib.AllowlistAdd(tc.allow...))
				}
				importWith(t, engine, lib, tc.assets, tc.batch, func(ctx context.Context, as []kit.Prepared) error {
					if prepared {
						return AfterImportPrepared(ctx, engine, lib, as, Options{})
					}
					ids := make([]string, len(as))
					for i := range as {
						ids[i] = as[i].Record.Asset.ID
					}
					return AfterImport(ctx, engine, lib, ids, Options{})
				})
				stored, err := lib.StoredOutcomes()
				require.NoError(t, err)
				require.Len(t, stored, len(tc.assets))
				b, err := json.Marshal(stored)
				require.NoError(t, err)
				return b
			}
			assert.Equal(t, string(outcomes(false)), string(outcomes(true)))
		})
	}
}
