package jieba_test

import (
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fulltext/analysis/jieba"
)

func tokenizer(tb testing.TB) analysis.Tokenizer {
	tb.Helper()
	tok, err := registry.NewCache().TokenizerNamed(jieba.Name)
	require.NoError(tb, err)
	return tok
}

func tk(term string, start, end, pos int, typ analysis.TokenType) *analysis.Token {
	return &analysis.Token{Term: []byte(term), Start: start, End: end, Position: pos, Type: typ}
}

const ideo, alnum, num = analysis.Ideographic, analysis.AlphaNumeric, analysis.Numeric

func TestTokenize(t *testing.T) {
	tok := tokenizer(t)
	tests := []struct {
		name  string
		input string
		want  analysis.TokenStream
	}{
		{"empty", "", nil},
		{"only punctuation and emoji", "，。！🎉 \n", nil},
		{
			"sub-words share the position of their word",
			"中华人民共和国成立了",
			analysis.TokenStream{
				tk("中华人民共和国", 0, 21, 1, ideo),
				tk("中华", 0, 6, 1, ideo),
				tk("华人", 3, 9, 1, ideo),
				tk("人民", 6, 12, 1, ideo),
				tk("共和国", 12, 21, 1, ideo),
				tk("共和", 12, 18, 1, ideo),
				tk("成立", 21, 27, 2, ideo),
				tk("了", 27, 30, 3, ideo),
			},
		},
		{
			"traditional regional vocabulary: simplified terms, original offsets",
			"檔案軟體很好用",
			analysis.TokenStream{
				tk("文件", 0, 6, 1, ideo),
				tk("软件", 6, 12, 2, ideo),
				tk("很", 12, 15, 3, ideo),
				tk("好", 15, 18, 4, ideo),
				tk("用", 18, 21, 5, ideo),
			},
		},
		{
			"phrase length changes (記憶體 → 内存)",
			"滑鼠墊記憶體",
			analysis.TokenStream{
				tk("鼠标垫", 0, 9, 1, ideo),
				tk("鼠标", 0, 6, 1, ideo),
				tk("内存", 9, 18, 2, ideo),
			},
		},
		{
			"full width, punctuation skipped, numbers",
			"ＡＢＣ 手机，618大促！",
			analysis.TokenStream{
				tk("abc", 0, 9, 1, alnum),
				tk("手机", 10, 16, 2, ideo),
				tk("618", 19, 22, 3, num),
				tk("大促", 22, 28, 4, ideo),
			},
		},
		{
			"latin words split at spaces, case folded",
			"Hello World 🎉 iPhone15",
			analysis.TokenStream{
				tk("hello", 0, 5, 1, alnum),
				tk("world", 6, 11, 2, alnum),
				tk("iphone15", 17, 25, 3, alnum),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tok.Tokenize([]byte(tc.input)))
		})
	}
}

// FuzzTokenize checks the invariants bleve relies on for any input.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"中华人民共和国成立了", "檔案軟體很好用", "ＡＢＣ 手机，618大促！", "㍻ﬁ e\u0301 \xff\xfe 好", "（镜头：推近）你是不是还在为熬夜烦恼？"} {
		f.Add(s)
	}
	tok := tokenizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		lastPos := 0
		for _, tk := range tok.Tokenize(in) {
			require.True(t, 0 <= tk.Start && tk.Start < tk.End && tk.End <= len(in), "offsets %d-%d of %d", tk.Start, tk.End, len(in))
			require.True(t, utf8.Valid(in[tk.Start:tk.End]), "offsets split a rune")
			require.NotEmpty(t, tk.Term)
			require.GreaterOrEqual(t, tk.Position, lastPos)
			require.LessOrEqual(t, tk.Position, lastPos+1)
			lastPos = tk.Position
		}
	})
}
