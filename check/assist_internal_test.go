package check

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssistEachCallsEveryItemOnce(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cores      int
		others     int // other checks running
		n          int
		wantHelper bool
	}{
		{"nothing to do", 2, 0, 0, false},
		{"too few items for a helper", 2, 0, minShared - 1, false},
		{"an idle core lends a helper", 2, 0, 100, true},
		{"one core never lends", 1, 0, 100, false},
		{"every core busy", 2, 1, 100, false},
		{"two of four cores busy", 4, 1, 100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAssist(tc.cores)
			for range 1 + tc.others { // this check and the others
				a.enter()
			}
			calls := make([]atomic.Int32, tc.n)
			var lane1 atomic.Int32
			a.each(tc.n, func(lane, i int) {
				require.Contains(t, []int{0, 1}, lane)
				calls[i].Add(1)
				if lane == 1 {
					lane1.Add(1)
				} else if tc.wantHelper && i == 0 {
					for lane1.Load() == 0 { // let the helper take an item
					}
				}
			})
			for i := range calls {
				assert.EqualValues(t, 1, calls[i].Load(), "item %d", i)
			}
			assert.Equal(t, tc.wantHelper, lane1.Load() > 0, "a helper worked")
			assert.EqualValues(t, 1+tc.others, a.busy.Load(), "the helper gave its core back")
		})
	}
}

func TestAssistPanicInHelperReachesCaller(t *testing.T) {
	a := NewAssist(2)
	a.enter()
	var started atomic.Bool
	assert.PanicsWithValue(t, "boom", func() {
		a.each(100, func(lane, i int) {
			if lane == 1 {
				started.Store(true)
				panic("boom")
			}
			for !started.Load() { // keep items for the helper
			}
		})
	})
	assert.EqualValues(t, 1, a.busy.Load())
}

func TestAssistBothRunsBoth(t *testing.T) {
	for _, cores := range []int{1, 2} {
		a := NewAssist(cores)
		var f, g bool
		a.both(func() { f = true }, func() { g = true })
		assert.True(t, f && g, "cores %d", cores)
	}
}
