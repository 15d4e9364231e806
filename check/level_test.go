package check_test

import (
	"context"
	"testing"
	"testing/quick"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
)

func TestLevelOfBandEdges(t *testing.T) {
	for _, tc := range []struct {
		dup  float64
		want check.Level
	}{
		{0, check.L1}, {0.0999, check.L1}, {0.10, check.L2}, {0.1001, check.L2},
		{0.2999, check.L2}, {0.30, check.L3}, {0.4999, check.L3}, {0.50, check.L4},
		{0.62, check.L4}, {0.7999, check.L4}, {0.80, check.L5}, {1, check.L5},
	} {
		assert.Equal(t, tc.want, check.LevelOf(tc.dup), "duplication %v", tc.dup)
	}
}

func TestLevelRankBandThrottled(t *testing.T) {
	for i, l := range check.Levels {
		assert.Equal(t, i+1, l.Rank())
		assert.Equal(t, i >= 2, l.Throttled(), "%s", l)
	}
	assert.Equal(t, "< 10 %", check.L1.Band())
	assert.Equal(t, "30–50 %", check.L3.Band())
	assert.Equal(t, "≥ 80 %", check.L5.Band())
	assert.Equal(t, 0, check.Level("L9").Rank())
}

// More duplication never gives a lower level.
func TestLevelMonotone(t *testing.T) {
	f := func(a, b uint16) bool {
		x, y := float64(a%10001)/10000, float64(b%10001)/10000
		if x > y {
			x, y = y, x
		}
		return check.LevelOf(x).Rank() <= check.LevelOf(y).Rank()
	}
	assert.NoError(t, quick.Check(f, nil))
}

// Every checked result carries the level of its duplication.
func TestCheckSetsLevel(t *testing.T) {
	c := newChecker(t)
	serum := libraryAssets[0]
	for _, a := range []element.Asset{
		asset("new/copy.md", textsOf(serum)...),
		asset("new/orig.md", "换季皮肤又干又痒怎么办？", "北方的暖气一开，脸上起皮，抹什么都搓泥，出门被风一吹又红又疼。"),
	} {
		res, err := c.Check(context.Background(), a.ID, &a)
		require.NoError(t, err)
		assert.Equal(t, check.LevelOf(res.Duplication), res.Level, a.ID)
	}
}
