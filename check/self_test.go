package check_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
)

// TestSelfMatches pins SPEC §3's self-match rule: the same id and text is
// already in the library (passes); the same id with another text is
// checked against its own published version; --exclude-self ignores the
// id; the --cross batch never matches an input with itself.
func TestSelfMatches(t *testing.T) {
	eng := elibtest.Engine(t)
	lib, err := index.Memory(context.Background(), eng, libraryAssets)
	require.NoError(t, err)
	serum := libraryAssets[0]
	edited := asset(serum.ID, textsOf(serum)...)
	edited.Elements[2].Text = strings.Replace(edited.Elements[2].Text, "二十八天", "三十天", 1)
	edited.Reoffset()

	tests := []struct {
		name        string
		opts        check.Options
		asset       element.Asset
		verdict     string
		already     bool
		ownVersion  bool
		minDup      float64
		maxDup      float64
		matchesSelf bool
	}{
		{"identical: already in the library", check.Options{}, serum, check.Pass, true, false, 0, 0, false},
		{"edited: its own published version counts", check.Options{}, edited, check.Reject, false, true, 0.9, 1, true},
		{"edited with --exclude-self", check.Options{ExcludeSelf: true}, edited, check.Pass, false, false, 0, 0, false},
		{"another id: a copy", check.Options{}, asset("new/copy.md", textsOf(serum)...), check.Reject, false, false, 0.99, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := check.New(eng, tt.opts, lib)
			require.NoError(t, err)
			res, err := c.Check(context.Background(), tt.asset.ID, &tt.asset)
			require.NoError(t, err)
			assert.Equal(t, tt.verdict, res.Verdict)
			assert.Equal(t, tt.already, res.AlreadyInLibrary)
			assert.Equal(t, tt.ownVersion, res.OwnVersion != nil)
			if res.OwnVersion != nil {
				assert.Equal(t, serum.ID, res.OwnVersion.AssetID)
			}
			assert.GreaterOrEqual(t, res.Duplication, tt.minDup)
			assert.LessOrEqual(t, res.Duplication, tt.maxDup)
			self := false
			for _, e := range res.Elements {
				for _, m := range e.Matches {
					if m.AssetID == tt.asset.ID {
						self = true
						assert.True(t, m.OwnVersion, "a match of the own version says so")
					}
				}
			}
			assert.Equal(t, tt.matchesSelf, self)
		})
	}

	t.Run("the --cross batch holds the input itself", func(t *testing.T) {
		fresh := asset("new/fresh.md", "这是一段全新的文案，讲的是一只会唱歌的猫咪和它的主人。")
		batch, err := index.Memory(context.Background(), eng, []element.Asset{fresh})
		require.NoError(t, err)
		c, err := check.New(eng, check.Options{BatchSources: 1}, lib, batch)
		require.NoError(t, err)
		res, err := c.Check(context.Background(), fresh.ID, &fresh)
		require.NoError(t, err)
		assert.Equal(t, check.Pass, res.Verdict)
		assert.Zero(t, res.Duplication)
		assert.False(t, res.AlreadyInLibrary)
	})
}
