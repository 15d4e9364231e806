package wordseg

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/corpus"
	"elib/internal/devdata"
)

// uncachedOnce is a segmenter with the embedded dictionaries and no piece
// cache: the reference the cache must agree with.
var uncachedOnce = sync.OnceValues(func() (*Segmenter, error) {
	return New(Options{CachePieces: -1})
})

func uncached(t testing.TB) *Segmenter {
	t.Helper()
	s, err := uncachedOnce()
	require.NoError(t, err)
	return s
}

func TestForEachPiece(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"，。 \t\n", nil},
		{"领券立减", []string{"0:领券立减"}},
		{"领券，立减。到手 价\t99\n元！", []string{"0:领券", "9:立减", "18:到手", "25:价", "29:99", "32:元！"}},
		{"a，", []string{"0:a"}},
		{"\xEF\xBC", []string{"0:\xEF\xBC"}}, // a cut '，' is no separator
	}
	for _, tt := range tests {
		var got []string
		forEachPiece(tt.in, func(start int, p string) {
			assert.Equal(t, tt.in[start:start+len(p)], p)
			got = append(got, strconv.Itoa(start)+":"+p)
		})
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

// TestCachedTokenizeAgrees: every text of the sample library and of the
// development sets is cut the same through the piece cache — cold and
// warm — as by gojieba over the whole text (gojieba cuts each piece
// between its separators on its own).
func TestCachedTokenizeAgrees(t *testing.T) {
	want := uncached(t)
	got, err := New(Options{CachePieces: 64}) // small: generations turn over
	require.NoError(t, err)
	defer got.Close()
	var texts []string
	assets, err := corpus.SampleAssets()
	require.NoError(t, err)
	for _, a := range assets {
		texts = append(texts, a.CopyText())
	}
	for _, set := range []string{"dev", "dev-real", "dev-rewrite"} {
		dir, ok := devdata.Find(set)
		if !ok {
			continue
		}
		require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || len(texts) > 3000 {
				return err
			}
			data, err := os.ReadFile(p)
			if err == nil {
				texts = append(texts, string(data))
			}
			return err
		}))
	}
	require.Greater(t, len(texts), 50)
	for round := range 2 {
		for _, text := range texts {
			if !assert.Equal(t, want.Tokenize(text), got.Tokenize(text), "round %d: %.80q", round, text) {
				return
			}
		}
	}
}

// FuzzCachedTokenize: any text, valid UTF-8 or not, is cut the same with
// and without the piece cache, asked twice.
func FuzzCachedTokenize(f *testing.F) {
	for _, s := range []string{"", "双十一领券立减，到手价只要99元！", "a\xffb下\x00单😀 啦", "宝子们，，快上 小黄车。\n拍一发二", "，。\t\n"} {
		f.Add(s)
	}
	want := uncached(f)
	got, err := New(Options{CachePieces: 8})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, text string) {
		w := want.Tokenize(text)
		assert.Equal(t, w, got.Tokenize(text))
		assert.Equal(t, w, got.Tokenize(text))
	})
}
