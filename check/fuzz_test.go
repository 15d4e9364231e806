package check_test

import (
	"context"
	"io/fs"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/corpus"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
)

// FuzzCheck feeds arbitrary text through the whole check against the
// embedded sample library: no panic, duplications in [0, 1], spans inside
// the element texts, the verdict consistent with the duplication.
func FuzzCheck(f *testing.F) {
	for _, name := range corpus.ExampleScripts() {
		data, err := fs.ReadFile(corpus.Examples(), name)
		require.NoError(f, err)
		f.Add(string(data))
	}
	f.Add("【钩子】\n【转化】（镜头：推近）")
	f.Add("\x00\xff【故事】我")
	eng := elibtest.Engine(f)
	assets, err := corpus.SampleAssets()
	require.NoError(f, err)
	lib, err := index.Memory(context.Background(), eng, assets)
	require.NoError(f, err)
	require.NoError(f, lib.AllowlistAdd(corpus.Allowlist()...))
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, text string) {
		got, err := element.Parse("fuzz.txt", []byte(text), element.ParseOptions{})
		if err != nil {
			return
		}
		for i := range got {
			res, err := c.Check(context.Background(), "fuzz.txt", &got[i])
			require.NoError(t, err)
			require.GreaterOrEqual(t, res.Duplication, 0.0)
			require.LessOrEqual(t, res.Duplication, 1.0)
			rejected := res.Countable > 0 && float64(res.Copied)/float64(res.Countable) > 0.62
			require.Equal(t, rejected, res.Verdict == check.Reject)
			for _, e := range res.Elements {
				n := utf8.RuneCountInString(e.Text)
				for _, m := range e.Matches {
					for _, s := range m.Spans {
						require.True(t, 0 <= s.Start && s.Start < s.End && s.End <= n, "span %+v of %q", s, e.Text)
						require.Less(t, s.LibraryStart, s.LibraryEnd)
					}
				}
			}
		}
	})
}
