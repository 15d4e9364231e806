package check_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/normalize"
	"elib/fingerprint/verify"
	"elib/index"
	"elib/internal/devdata"
	"elib/internal/elibtest"
)

// TestRealTextCopyingKinds checks kinds of copying the dev-real sets do not
// hold, made from real Taobao descriptions (../shared/dev-real/taobao's
// library) by exhaustive truth, the way dev-real's README scores: a text
// two thirds of whose countable characters lie in runs of >= 10 shared with
// one library text must be rejected; one under 57 % in runs of >= 5 must
// pass. Each kind is a way writers copy: edits every few characters,
// clauses reordered, new clauses put in between, decoration (emoji,
// spaces, hashtags) added, collages of clauses with a character changed
// in each.
func TestRealTextCopyingKinds(t *testing.T) {
	eng := elibtest.Engine(t)
	assets, lib := taobaoLibrary(t, eng)
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)

	texts := make([]string, len(assets))
	norms := make([]normalize.Text, len(assets))
	for i, a := range assets {
		var parts []string
		for _, e := range a.Elements {
			parts = append(parts, e.Text)
		}
		texts[i] = strings.Join(parts, "\n")
		norms[i] = eng.Normalizer().Normalize(texts[i])
	}
	// truth is the share of text's countable characters in runs of >=
	// minRun shared with one library text, union over the library.
	truth := func(text string, minRun int) float64 {
		q := eng.Normalizer().Normalize(text)
		covered := make([]bool, len(q.Runes))
		var m verify.Matcher
		for _, l := range norms {
			for k, cv := range m.Compare(q, l, verify.Options{MinRun: minRun}).Covered {
				covered[k] = covered[k] || cv
			}
		}
		n := 0
		for _, cv := range covered {
			if cv {
				n++
			}
		}
		return float64(n) / float64(max(1, len(q.Runes)))
	}

	rng := rand.New(rand.NewPCG(2026, 12))
	fresh := []string{"我们家楼下新开了一家面馆", "周末带孩子去公园放风筝", "今天快递小哥来得特别早",
		"朋友说这个颜色很适合我", "下雨天在家追剧最舒服了", "同事们都在讨论年终总结", "早上出门忘了带伞"}
	clauses := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("，。！？；、,.!?;\n", r) })
	}
	pick := func() string {
		for {
			if s := texts[rng.IntN(len(texts))]; len([]rune(s)) >= 60 {
				return s
			}
		}
	}
	kinds := []struct {
		name string
		make func() string
	}{
		{"a character changed every 12-20", func() string {
			rs := []rune(pick())
			for i := 6 + rng.IntN(8); i < len(rs); i += 12 + rng.IntN(9) {
				rs[i] = '鑫'
			}
			return string(rs)
		}},
		{"a character changed every 10-14", func() string {
			rs := []rune(pick())
			for i := 5 + rng.IntN(6); i < len(rs); i += 10 + rng.IntN(5) {
				rs[i] = '鑫'
			}
			return string(rs)
		}},
		{"a character inserted every 11-16", func() string {
			var b strings.Builder
			next := 5 + rng.IntN(6)
			for i, r := range []rune(pick()) {
				if i == next {
					b.WriteRune('嗯')
					next += 11 + rng.IntN(6)
				}
				b.WriteRune(r)
			}
			return b.String()
		}},
		{"collage of short clauses from many texts", func() string {
			var out []string
			for len([]rune(strings.Join(out, ""))) < 90 {
				cl := clauses(pick())
				s := cl[rng.IntN(len(cl))]
				if n := len([]rune(s)); n < 10 || n > 14 {
					continue
				}
				out = append(out, s)
			}
			return strings.Join(out, "，") + "。"
		}},
		{"clauses reordered", func() string {
			cl := clauses(pick())
			rng.Shuffle(len(cl), func(i, j int) { cl[i], cl[j] = cl[j], cl[i] })
			return strings.Join(cl, "，") + "。"
		}},
		{"new clauses put in between", func() string {
			var out []string
			for i, cl := range clauses(pick()) {
				out = append(out, cl)
				if i%3 == 2 {
					out = append(out, fresh[rng.IntN(len(fresh))])
				}
			}
			return strings.Join(out, "，") + "。"
		}},
		{"decorated with emoji, spaces and hashtags", func() string {
			var b strings.Builder
			b.WriteString("#好物推荐 #必买清单\n")
			for i, r := range []rune(pick()) {
				b.WriteRune(r)
				if i%9 == 8 {
					b.WriteString([]string{"✨", " ", "🔥", "～"}[rng.IntN(4)])
				}
			}
			return b.String()
		}},
		{"collage of clauses, a character changed in each", func() string {
			var out []string
			for len([]rune(strings.Join(out, ""))) < 80 {
				cl := clauses(pick())
				s := []rune(cl[rng.IntN(len(cl))])
				if len(s) < 12 {
					continue
				}
				s[len(s)/2] = '鑫'
				out = append(out, string(s))
			}
			return strings.Join(out, "，") + "。"
		}},
		{"originals in the same words", func() string {
			// Fresh sentences and one stock phrase of the library.
			var out []string
			for i := 0; i < 6; i++ {
				out = append(out, fresh[rng.IntN(len(fresh))])
			}
			out = append(out, []string{"简约大方", "时尚百搭", "做工精细", "穿着舒适"}[rng.IntN(4)])
			return strings.Join(out, "，") + "。"
		}},
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			var wantReject, detected, wantPass, falseRejects int
			for n := 0; n < 40; n++ {
				text := kind.make()
				a := element.Asset{ID: "new/perturbed.txt", Elements: []element.Element{{Type: element.Other, Text: text}}}
				a.Reoffset()
				res, err := c.Check(context.Background(), a.ID, &a)
				require.NoError(t, err)
				switch d10, d5 := truth(text, 10), truth(text, 5); {
				case d10 > 0.67:
					wantReject++
					if res.Verdict == check.Reject {
						detected++
					} else {
						t.Logf("missed (dup10 %.2f, elib %.2f): %s", d10, res.Duplication, text)
					}
				case d5 < 0.57:
					wantPass++
					if res.Verdict == check.Reject {
						falseRejects++
						t.Logf("false reject (dup5 %.2f, elib %.2f): %s", d5, res.Duplication, text)
					}
				}
			}
			t.Logf("%s: detected %d/%d, false rejects %d/%d", kind.name, detected, wantReject, falseRejects, wantPass)
			if wantReject > 0 {
				assert.GreaterOrEqual(t, float64(detected)/float64(wantReject), 0.97)
			}
			if wantPass > 0 {
				assert.LessOrEqual(t, float64(falseRejects)/float64(wantPass), 0.01)
			}
		})
	}
}

// taobaoLibrary is dev-real's Taobao library (real descriptions), parsed
// and in memory.
func taobaoLibrary(t *testing.T, eng *fingerprint.Engine) ([]element.Asset, *index.Library) {
	t.Helper()
	path := filepath.Join(devdata.DevRealDir(t), "taobao", "library", "lib.jsonl")
	assets, err := element.ParseFile(path, element.ParseOptions{})
	require.NoError(t, err)
	lib, err := index.Memory(context.Background(), eng, assets)
	require.NoError(t, err)
	return assets, lib
}
