package check_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/fingerprint/verify"
	"elib/internal/elibtest"
)

// TestMeasureRewriteRecall rewrites real Taobao descriptions (dev-real's
// library) with one edit in every k Han characters — a mix of
// substitutions, two-character word swaps, filler insertions and
// deletions, at random places within each stretch of k — and reports, per
// k, how many of those whose aligned share (characters in common blocks of
// two or more, as dev-rewrite's truth counts them) is at least 0.75 are
// rejected, and how many get no duplication at all (no candidate found).
// Run with ELIB_MEASURE=1 -v (figures in benchmarks/RESULTS.md).
func TestMeasureRewriteRecall(t *testing.T) {
	if os.Getenv("ELIB_MEASURE") == "" {
		t.Skip("set ELIB_MEASURE=1 to measure")
	}
	eng := elibtest.Engine(t)
	assets, lib := taobaoLibrary(t, eng)
	// ELIB_MEASURE_EVERY=1 offers every library element as a candidate:
	// what verification alone would find.
	var tuning check.Tuning
	var src check.Source = lib
	if os.Getenv("ELIB_MEASURE_EVERY") != "" {
		tuning.MaxCandidates = math.MaxInt32
		src = everyElement{lib}
	}
	c, err := check.New(eng, check.Options{Tuning: tuning}, src)
	require.NoError(t, err)
	var texts []string
	for _, a := range assets {
		var parts []string
		for _, e := range a.Elements {
			parts = append(parts, e.Text)
		}
		if s := strings.Join(parts, "\n"); len([]rune(s)) >= 60 {
			texts = append(texts, s)
		}
	}
	// Han characters of the library, to substitute with.
	var han []rune
	for _, s := range texts {
		for _, r := range s {
			if unicode.Is(unicode.Han, r) {
				han = append(han, r)
			}
		}
	}
	fillers := []rune("的了超很也就呀哦真")
	rng := rand.New(rand.NewPCG(2026, 1207))
	rewrite := func(s string, k int) string {
		rs := []rune(s)
		var out []rune
		for i := 0; i < len(rs); {
			// One edit somewhere in the next k characters.
			end := min(len(rs), i+k)
			at := i + rng.IntN(end-i)
			out = append(out, rs[i:at]...)
			if at == len(rs) {
				break
			}
			if !unicode.Is(unicode.Han, rs[at]) {
				out = append(out, rs[at:end]...)
				i = end
				continue
			}
			switch rng.IntN(4) {
			case 0: // substitution
				out = append(out, han[rng.IntN(len(han))])
				out = append(out, rs[at+1:end]...)
			case 1: // a two-character word swapped for another
				out = append(out, han[rng.IntN(len(han))], han[rng.IntN(len(han))])
				if at+2 <= end {
					out = append(out, rs[at+2:end]...)
				}
			case 2: // filler inserted
				out = append(out, rs[at], fillers[rng.IntN(len(fillers))])
				out = append(out, rs[at+1:end]...)
			case 3: // deletion
				out = append(out, rs[at+1:end]...)
			}
			i = end
		}
		return string(out)
	}
	for _, k := range []int{4, 5, 6, 8} {
		var want, rejected, nothing int
		var missed []string
		for n := 0; n < 80; n++ {
			src := texts[rng.IntN(len(texts))]
			text := rewrite(src, k)
			if alignedShare(text, src) < 0.75 {
				continue
			}
			want++
			a := element.Asset{ID: "new/rw.txt", Elements: []element.Element{{Type: element.Other, Text: text}}}
			a.Reoffset()
			res, err := c.Check(context.Background(), a.ID, &a)
			require.NoError(t, err)
			switch {
			case res.Verdict == check.Reject:
				rejected++
			default:
				if res.Duplication == 0 {
					nothing++
				}
				q, l := eng.Normalizer().Normalize(text), eng.Normalizer().Normalize(src)
				var al verify.Aligner
				matched := 0
				for _, st := range al.Align(q, l, verify.AlignOptions{}) {
					matched += st.Matched()
				}
				missed = append(missed, fmt.Sprintf("%.2f (aligner alone %.2f, truth %.2f) %s", res.Duplication, float64(matched)/float64(len(q.Runes)), alignedShare(text, src), text))
			}
		}
		t.Logf("edit every %d: rejected %d/%d, nothing found %d", k, rejected, want, nothing)
		for _, m := range missed[:min(8, len(missed))] {
			t.Logf("  missed %s", m)
		}
	}
}

// alignedShare is the share of a's Han characters inside blocks of two or
// more characters common to a and b in a longest common subsequence.
func alignedShare(a, b string) float64 {
	x, y := hanOnly(a), hanOnly(b)
	n, m := len(x), len(y)
	if n == 0 {
		return 0
	}
	L := make([][]int32, n+1)
	for i := range L {
		L[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				L[i][j] = L[i+1][j+1] + 1
			} else {
				L[i][j] = max(L[i+1][j], L[i][j+1])
			}
		}
	}
	matched := make([]bool, n)
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case x[i] == y[j]:
			matched[i] = true
			i++
			j++
		case L[i+1][j] >= L[i][j+1]:
			i++
		default:
			j++
		}
	}
	count := 0
	for i := 0; i < n; {
		j := i
		for j < n && matched[j] {
			j++
		}
		if j-i >= 2 {
			count += j - i
		}
		i = max(j, i+1)
	}
	return float64(count) / float64(n)
}

func hanOnly(s string) []rune {
	var out []rune
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			out = append(out, r)
		}
	}
	return out
}
