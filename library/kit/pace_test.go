package kit_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/internal/elibtest"
	"elib/internal/pace"
	"elib/library/kit"
)

// Under a pace, Prepare waits before every 128 elements and stops when
// the context ends during a wait.
func TestPreparePaced(t *testing.T) {
	engine := elibtest.Engine(t)
	var assets []element.Asset
	for i := 0; i < 100; i++ {
		a := element.Asset{ID: fmt.Sprintf("a%d.txt", i)}
		for j := 0; j < 3; j++ {
			a.Elements = append(a.Elements, element.Element{Type: element.Hook, Text: fmt.Sprintf("第%d条第%d句：这款防晒霜真的好用，限时立减", i, j)})
		}
		a.Reoffset()
		assets = append(assets, a)
	}
	for _, workers := range []int{1, 2} {
		var waits atomic.Int32
		ctx := pace.With(context.Background(), func(context.Context) { waits.Add(1) })
		prep, err := kit.Prepare(ctx, engine, assets, kit.PrepareOptions{Workers: workers})
		require.NoError(t, err)
		require.Len(t, prep, len(assets))
		require.EqualValues(t, 3, waits.Load(), "300 elements: a wait before elements 1, 129 and 257")
	}

	ctx, cancel := context.WithCancel(context.Background())
	ctx = pace.With(ctx, func(context.Context) { cancel() })
	_, err := kit.Prepare(ctx, engine, assets, kit.PrepareOptions{Workers: 1})
	require.ErrorIs(t, err, context.Canceled)
}
