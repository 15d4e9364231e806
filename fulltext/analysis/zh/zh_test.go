package zh_test

import (
	"sort"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fulltext/analysis/zh"
)

func TestAnalyzerStream(t *testing.T) {
	an, err := registry.NewCache().AnalyzerNamed(zh.Name)
	require.NoError(t, err)
	got := an.Analyze([]byte("軟體ＶＩＰ，限時立減！"))
	want := analysis.TokenStream{
		{Term: []byte("软件"), Start: 0, End: 6, Position: 1, Type: analysis.Ideographic},
		{Term: []byte("vip"), Start: 6, End: 15, Position: 2, Type: analysis.AlphaNumeric},
		{Term: []byte("限时"), Start: 18, End: 24, Position: 3, Type: analysis.Ideographic},
		{Term: []byte("立减"), Start: 24, End: 30, Position: 4, Type: analysis.Ideographic},
	}
	assert.Equal(t, want, got)
}

// memIndex indexes docs (id → text) into an in-memory index whose "text"
// field uses elib_zh with term vectors.
func memIndex(t *testing.T, docs map[string]string) bleve.Index {
	t.Helper()
	im := bleve.NewIndexMapping()
	f := bleve.NewTextFieldMapping()
	f.Analyzer = zh.Name
	f.IncludeTermVectors = true
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("text", f)
	im.DefaultMapping = dm
	idx, err := bleve.NewMemOnly(im)
	require.NoError(t, err)
	t.Cleanup(func() { _ = idx.Close() })
	for id, text := range docs {
		require.NoError(t, idx.Index(id, map[string]interface{}{"text": text}))
	}
	return idx
}

func search(t *testing.T, idx bleve.Index, q query.Query) []string {
	t.Helper()
	res, err := idx.Search(bleve.NewSearchRequest(q))
	require.NoError(t, err)
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	sort.Strings(out)
	return out
}

func phrase(text string) query.Query {
	q := bleve.NewMatchPhraseQuery(text)
	q.SetField("text")
	return q
}

func match(text string) query.Query {
	q := bleve.NewMatchQuery(text)
	q.SetField("text")
	q.SetOperator(query.MatchQueryOperatorAnd)
	return q
}

func TestQueries(t *testing.T) {
	idx := memIndex(t, map[string]string{
		"a": "我们热爱中华人民共和国成立的那一天",
		"b": "这款防晒霜真的好用，限时立减",
		"c": "檔案同步軟體，網路不卡",
		"d": "人民群众喜欢共和这个词",
	})
	tests := []struct {
		name string
		q    query.Query
		want []string
	}{
		// 中华 and 共和国 are sub-words of 中华人民共和国; they keep its position.
		{"phrase ending in a prefix sub-word", phrase("热爱中华"), []string{"a"}},
		{"phrase starting with a suffix sub-word", phrase("共和国成立"), []string{"a"}},
		{"phrase of one sub-word", phrase("人民"), []string{"a", "d"}},
		{"phrase in wrong order finds nothing", phrase("成立共和国"), []string{}},
		{"sub-word term", match("防晒"), []string{"b"}},
		{"traditional query finds simplified text", phrase("防曬霜"), []string{"b"}},
		{"traditional vocabulary query finds simplified", match("限時立減"), []string{"b"}},
		{"simplified query finds traditional text", phrase("文件同步软件"), []string{"c"}},
		{"simplified vocabulary query finds taiwan vocabulary", match("网络"), []string{"c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, search(t, idx, tc.q))
		})
	}
}
