package fulltext

import (
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDropNested(t *testing.T) {
	loc := func(s, e uint64, ap ...uint64) *search.Location {
		return &search.Location{Start: s, End: e, ArrayPositions: ap}
	}
	in := search.TermLocationMap{
		"防晒霜": {loc(6, 15), loc(30, 39)},
		"防晒":  {loc(6, 12), loc(30, 36), loc(50, 56)},
		"中华":  {loc(60, 66)},
		"华人":  {loc(63, 69)},             // partial overlap: kept
		"x":   {loc(6, 12, 1)},           // other array position: kept
		"y":   {loc(6, 15), loc(70, 71)}, // duplicate span of 防晒霜: one kept
	}
	got := dropNested(in)
	var spans [][2]uint64
	for _, ls := range got {
		for _, l := range ls {
			spans = append(spans, [2]uint64{l.Start, l.End})
		}
	}
	// (6,15) is both 防晒霜 and y: kept once; 防晒 inside 防晒霜 dropped.
	assert.ElementsMatch(t, [][2]uint64{{6, 15}, {30, 39}, {50, 56}, {60, 66}, {63, 69}, {6, 12}, {70, 71}}, spans)
	assert.Equal(t, search.Locations{loc(50, 56)}, got["防晒"])
	assert.Equal(t, search.ArrayPositions{1}, got["x"][0].ArrayPositions)
}

func FuzzMergeSpans(f *testing.F) {
	f.Add([]byte{0, 5, 1, 3, 4, 9, 9, 10})
	f.Add([]byte{3, 1, 2, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		var in [][2]int
		covered := map[int]bool{}
		for i := 0; i+1 < len(b); i += 2 {
			s, e := int(b[i]), int(b[i])+int(b[i+1]%16)+1
			in = append(in, [2]int{s, e})
			for k := s; k < e; k++ {
				covered[k] = true
			}
		}
		out := mergeSpans(in)
		n := 0
		for i, s := range out {
			require.Less(t, s[0], s[1])
			if i > 0 {
				require.LessOrEqual(t, out[i-1][1], s[0], "sorted, not overlapping")
			}
			for k := s[0]; k < s[1]; k++ {
				require.True(t, covered[k], "covers only input")
			}
			n += s[1] - s[0]
		}
		require.Equal(t, len(covered), n, "covers all input")
	})
}
