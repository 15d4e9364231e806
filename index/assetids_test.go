package index

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/internal/elibtest"
)

// AssetIDs lists the live assets sorted, whether the segments list them
// in order (read off without a sort) or not: imports in and out of id
// order, a replaced asset, a removed one, and a reader's open.
func TestAssetIDsSorted(t *testing.T) {
	ctx := context.Background()
	w, dir := newLib(t, true)
	script := func(id string) element.Asset {
		return elibtest.Script(id, "跑鞋", "hook", elibtest.HookRun+id, "conversion", elibtest.ConvRun)
	}
	live := map[string]bool{}
	step := func(label string, ids ...string) {
		var as []element.Asset
		for _, id := range ids {
			as = append(as, script(id))
			live[id] = true
		}
		_, err := w.Import(ctx, as)
		require.NoError(t, err, label)
		check := func(l *Library, who string) {
			want := make([]string, 0, len(live))
			for id := range live {
				want = append(want, id)
			}
			slices.Sort(want)
			got, err := l.AssetIDs()
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s: %s", label, who)
		}
		check(w, "writer")
		check(newReader(t, dir), "reader")
	}
	step("in order", "a/1.txt", "a/2.txt", "a/3.txt")
	_, inOrder := w.idsInOrder()
	assert.True(t, inOrder, "read off the directories")
	step("in order, a second segment", "b/1.txt", "b/2.txt")
	step("before the others", "0/1.txt")
	_, inOrder = w.idsInOrder()
	assert.False(t, inOrder, "sorted")
	step("replaced", "a/2.txt")
	_, err := w.Remove(ctx, "b/1.txt")
	require.NoError(t, err)
	delete(live, "b/1.txt")
	step("removed", fmt.Sprintf("c/%d.txt", 1))
}
