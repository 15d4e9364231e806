package insight

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/internal/elibtest"
	"elib/internal/pace"
)

// Under a pace, AfterImport waits before each asset's outcome.
func TestAfterImportPaced(t *testing.T) {
	engine := elibtest.Engine(t)
	ctx := context.Background()
	lib := newOutcomeLibrary(t, nil)
	assets := []element.Asset{
		scripted("p1", "2026-01-05", "抖音", fresh[0], fresh[1]),
		scripted("p2", "2026-03-01T12:00:00Z", "抖音", hitHook, fresh[3]),
		scripted("p3", "2026-04-02", "视频号", fresh[6], fresh[7]),
	}
	_, err := lib.Import(ctx, assets)
	require.NoError(t, err)
	waits := 0
	paced := pace.With(ctx, func(context.Context) { waits++ })
	require.NoError(t, AfterImport(paced, engine, lib, []string{"p1", "p2", "p3"}, Options{Workers: 1}))
	require.Equal(t, 3, waits)
	outs, err := lib.Outcomes([]string{"p1", "p2", "p3"})
	require.NoError(t, err)
	for i, o := range outs {
		require.NotNil(t, o, "outcome of p%d stored", i+1)
	}
}
