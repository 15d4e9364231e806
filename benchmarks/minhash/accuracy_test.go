package minhashbench_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"elib/fingerprint/minhash"

	"github.com/cespare/xxhash/v2"
	dgryski "github.com/dgryski/go-minhash"
	ekzhu "github.com/ekzhu/minhash-lsh"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pair is two documents (as Han runes) and the edit that made them.
type pair struct {
	a, b []rune
	kind string
}

// realPairs finds pairs of distinct corpus documents sharing at least a
// tenth of their shingles (variants of one poem, shared couplets), via an
// inverted index of shingles.
func realPairs(docs [][]rune, limit int) []pair {
	sets := make([]map[string]struct{}, len(docs))
	post := map[string][]int{}
	for i, d := range docs {
		sets[i] = shingleSet(d)
		for s := range sets[i] {
			post[s] = append(post[s], i)
		}
	}
	var out []pair
	for i := range docs {
		common := map[int]int{}
		for s := range sets[i] {
			if len(post[s]) > 50 { // formulaic 3-grams tell nothing
				continue
			}
			for _, j := range post[s] {
				if j > i {
					common[j]++
				}
			}
		}
		js := make([]int, 0, len(common))
		for j := range common {
			js = append(js, j)
		}
		sort.Ints(js)
		for _, j := range js {
			if jaccard(sets[i], sets[j]) >= 0.1 && string(docs[i]) != string(docs[j]) {
				out = append(out, pair{a: docs[i], b: docs[j], kind: "corpus"})
				if len(out) == limit {
					return out
				}
			}
		}
	}
	return out
}

// edit copies d with each character, with probability rate, substituted,
// deleted, or preceded by an inserted character drawn from pool.
func edit(r *rand.Rand, d, pool []rune, rate float64) []rune {
	out := make([]rune, 0, len(d)+8)
	for _, c := range d {
		if r.Float64() >= rate {
			out = append(out, c)
			continue
		}
		switch r.IntN(3) {
		case 0:
			out = append(out, pool[r.IntN(len(pool))])
		case 1: // delete
		case 2:
			out = append(out, pool[r.IntN(len(pool))], c)
		}
	}
	return out
}

func shingleSet(d []rune) map[string]struct{} {
	m := map[string]struct{}{}
	for _, s := range shingles(d) {
		m[string(s)] = struct{}{}
	}
	return m
}

func jaccard(a, b map[string]struct{}) float64 {
	inter := 0
	for s := range a {
		if _, ok := b[s]; ok {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// estimator signs a shingle list; similarity compares two of its signatures.
type estimator struct {
	name string
	est  func(a, b [][]byte) float64
}

func estimators(t *testing.T) []estimator {
	h, err := minhash.New(minhash.Options{Lanes: lanes})
	require.NoError(t, err)
	elib := func(sh [][]byte) []uint32 {
		hs := make([]uint64, len(sh))
		for i, s := range sh {
			hs[i] = xxhash.Sum64(s)
		}
		return h.Sign(nil, hs)
	}
	ek := func(sh [][]byte) []uint64 {
		m := ekzhu.NewMinhash(1, lanes)
		for _, s := range sh {
			m.Push(s)
		}
		return m.Signature()
	}
	dg := func(sh [][]byte) *dgryski.MinWise {
		m := dgryski.NewMinWise(xxhash.Sum64, fnv1a, lanes)
		for _, s := range sh {
			m.Push(s)
		}
		return m
	}
	return []estimator{
		{"elib (" + h.Kernel().String() + ")", func(a, b [][]byte) float64 { return equalLanes(elib(a), elib(b)) }},
		{"ekzhu", func(a, b [][]byte) float64 {
			sa, sb := ek(a), ek(b)
			eq := 0
			for i := range sa {
				if sa[i] == sb[i] {
					eq++
				}
			}
			return float64(eq) / float64(len(sa))
		}},
		{"dgryski", func(a, b [][]byte) float64 { return dg(a).Similarity(dg(b)) }},
	}
}

// TestAccuracy compares the mean absolute error of each method's Jaccard
// estimate against the exact Jaccard of the shingle sets, on real corpus
// pairs and on edited copies (substitutions, deletions, insertions at
// several rates). Run with -v to see the table.
func TestAccuracy(t *testing.T) {
	var docs [][]rune
	for _, d := range loadDocs(t) {
		if rs := hanOnly(d); len(rs) >= 20 {
			docs = append(docs, rs)
		}
	}
	require.NotEmpty(t, docs)
	pool := []rune(strings.Join(func() []string {
		var s []string
		for _, d := range docs[:min(len(docs), 200)] {
			s = append(s, string(d))
		}
		return s
	}(), ""))

	pairs := realPairs(docs, 400)
	r := rand.New(rand.NewPCG(2024, 11))
	rates := []float64{0.02, 0.05, 0.1, 0.2, 0.3, 0.5}
	for i := 0; len(pairs) < 3000; i++ {
		d := docs[i%len(docs)]
		rate := rates[i%len(rates)]
		pairs = append(pairs, pair{a: d, b: edit(r, d, pool, rate), kind: fmt.Sprintf("edit %.2f", rate)})
	}

	ests := estimators(t)
	type acc struct{ sum, n float64 }
	byKind := map[string][]acc{}
	total := make([]acc, len(ests))
	var exactSum float64
	for _, p := range pairs {
		sa, sb := shingles(p.a), shingles(p.b)
		exact := jaccard(shingleSet(p.a), shingleSet(p.b))
		exactSum += exact
		if byKind[p.kind] == nil {
			byKind[p.kind] = make([]acc, len(ests)+1)
		}
		k := byKind[p.kind]
		k[len(ests)].sum += exact
		k[len(ests)].n++
		for i, e := range ests {
			d := math.Abs(e.est(sa, sb) - exact)
			total[i].sum += d
			total[i].n++
			k[i].sum += d
			k[i].n++
		}
	}

	var sb strings.Builder
	fmt.Fprintf(&sb, "MinHash accuracy, %d lanes, %d pairs (mean exact J %.3f), corpus %s\n", lanes, len(pairs), exactSum/float64(len(pairs)), corpusPath())
	fmt.Fprintf(&sb, "%-12s %6s %8s", "pairs", "n", "mean J")
	for _, e := range ests {
		fmt.Fprintf(&sb, " %16s", e.name)
	}
	sb.WriteString("\n")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		a := byKind[k]
		fmt.Fprintf(&sb, "%-12s %6.0f %8.3f", k, a[len(ests)].n, a[len(ests)].sum/a[len(ests)].n)
		for i := range ests {
			fmt.Fprintf(&sb, " %16.4f", a[i].sum/a[i].n)
		}
		sb.WriteString("\n")
	}
	fmt.Fprintf(&sb, "%-12s %6d %8.3f", "all (MAE)", len(pairs), exactSum/float64(len(pairs)))
	for i := range ests {
		fmt.Fprintf(&sb, " %16.4f", total[i].sum/total[i].n)
	}
	t.Log("\n" + sb.String())

	assert.GreaterOrEqual(t, len(pairs), 1000)
	elibMAE := total[0].sum / total[0].n
	for i := 1; i < len(ests); i++ {
		assert.LessOrEqual(t, elibMAE, total[i].sum/total[i].n+0.003, "elib vs %s", ests[i].name)
	}
}

// equalLanes is elib's Jaccard estimate: the share of equal lanes of two
// signatures of one length.
func equalLanes(a, b []uint32) float64 {
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	return float64(eq) / float64(len(a))
}
