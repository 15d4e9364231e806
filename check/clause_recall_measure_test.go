package check_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/fingerprint/verify"
	"elib/index"
	"elib/internal/elibtest"
)

// TestMeasureClauseRecall measures, on the on-disk library named by
// $ELIB_BENCH_LIBRARY (e.g. 1M elements from benchmarks/library), how often
// one clause of a random library element — 10, 12 or 16 characters —
// embedded in new text is found and counted (a clause cut at random
// positions starts and ends inside words, which trimming leaves out). New text is drawn
// from characters the generated libraries never use, so the clause is the
// only material shared. Skipped when the variable is unset.
func TestMeasureClauseRecall(t *testing.T) {
	dir := os.Getenv("ELIB_BENCH_LIBRARY")
	if dir == "" {
		t.Skip("ELIB_BENCH_LIBRARY not set")
	}
	eng := elibtest.Engine(t)
	lib, err := index.Open(index.Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err)
	defer lib.Close()
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)
	ids := elibtest.Must(lib.AssetIDs())
	rng := rand.New(rand.NewPCG(7, 10))
	filler := []rune("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")
	fresh := func(n int) string {
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = filler[rng.IntN(len(filler))]
		}
		return string(rs)
	}
	for _, size := range []int{10, 12, 16} {
		found, most, full, tries := 0, 0, 0, 0
		for tries < 200 {
			refs := elibtest.Must(lib.AssetElements(ids[rng.IntN(len(ids))]))
			el, err := lib.Element(refs[rng.IntN(len(refs))])
			require.NoError(t, err)
			norm := eng.Normalizer().Normalize(el.Text)
			if len(norm.Runes) < size+2 {
				continue
			}
			at := rng.IntN(len(norm.Runes) - size)
			clause := string(norm.Runes[at : at+size])
			tries++
			a := element.Asset{ID: "measure/clause.txt", Elements: []element.Element{{Type: element.Other, Text: fresh(40) + clause + fresh(40)}}}
			a.Reoffset()
			res, err := c.Check(context.Background(), a.ID, &a)
			require.NoError(t, err)
			if res.Copied > 0 {
				found++
			}
			if res.Copied >= size-2*verify.MaxTrim {
				most++ // word trimming takes at most MaxTrim per end
			}
			if res.Copied >= size {
				full++
			}
		}
		t.Logf("clause of %d characters: found %d/%d, counted but for word trimming %d, in full %d", size, found, tries, most, full)
	}
}
