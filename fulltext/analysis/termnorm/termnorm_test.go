package termnorm_test

import (
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fulltext/analysis/termnorm"
)

func TestFilter(t *testing.T) {
	f, err := registry.NewCache().TokenFilterNamed(termnorm.Name)
	require.NoError(t, err)
	tok := func(term string, start, end, pos int) *analysis.Token {
		return &analysis.Token{Term: []byte(term), Start: start, End: end, Position: pos, Type: analysis.Ideographic}
	}
	tests := []struct {
		name     string
		in, want analysis.TokenStream
	}{
		{"empty", analysis.TokenStream{}, analysis.TokenStream{}},
		{
			"traditional, full width, case; offsets kept",
			analysis.TokenStream{tok("檔案", 0, 6, 1), tok("ＡＢＣ", 6, 15, 2), tok("iPhone", 15, 21, 3)},
			analysis.TokenStream{tok("文件", 0, 6, 1), tok("abc", 6, 15, 2), tok("iphone", 15, 21, 3)},
		},
		{
			"punctuation-only tokens dropped",
			analysis.TokenStream{tok("好", 0, 3, 1), tok("，", 3, 6, 2), tok("🎉", 6, 10, 3), tok("用", 10, 13, 4)},
			analysis.TokenStream{tok("好", 0, 3, 1), tok("用", 10, 13, 4)},
		},
		{
			"already normalised is unchanged",
			analysis.TokenStream{tok("防晒霜", 0, 9, 1), tok("618", 9, 12, 2)},
			analysis.TokenStream{tok("防晒霜", 0, 9, 1), tok("618", 9, 12, 2)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, f.Filter(tc.in))
		})
	}
}
