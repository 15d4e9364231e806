package wordseg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seg(t testing.TB) *Segmenter {
	t.Helper()
	s, err := Default()
	require.NoError(t, err)
	return s
}

func TestTokenize(t *testing.T) {
	s := seg(t)
	tests := []struct {
		name, in string
		want     []Token
	}{
		{"empty", "", nil},
		{"double eleven and coupon", "双十一领券立减，到手价只要99元！", []Token{
			{"双十一", 0, 9}, {"领券", 9, 15}, {"立减", 15, 21}, {"到手价", 24, 33},
			{"只要", 33, 39}, {"99", 39, 41}, {"元", 41, 44}}},
		{"live commerce", "宝子们快上小黄车，拍一发二还包邮", []Token{
			{"宝子们", 0, 9}, {"快上", 9, 15}, {"小黄车", 15, 24}, {"拍一发二", 27, 39},
			{"还", 39, 42}, {"包邮", 42, 48}}},
		{"apparel", "这条速干裤显瘦又控油", []Token{
			{"这条", 0, 6}, {"速干", 6, 12}, {"裤", 12, 15}, {"显瘦", 15, 21}, {"又", 21, 24}, {"控油", 24, 30}}},
		{"digits", "双11和618大促", []Token{{"双11", 0, 5}, {"和", 5, 8}, {"618", 8, 11}, {"大促", 11, 17}}},
		{"invalid utf8 and nul", "a\xffb下\x00单😀 啦", []Token{
			{"a", 0, 1}, {"b", 2, 3}, {"下", 3, 6}, {"单", 7, 10}, {"啦", 15, 18}}},
		{"emoji and spaces only", "😀 🔥\u3000！", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Tokenize(tt.in)
			assert.Equal(t, tt.want, got)
			for _, tok := range got {
				assert.Equal(t, tt.in[tok.Start:tok.End], tok.Text)
			}
		})
	}
}

// TestMarketingDictFixesCuts shows what the shipped user dictionary
// changes: the default dictionary alone breaks these terms.
func TestMarketingDictFixesCuts(t *testing.T) {
	s := seg(t)
	plain := plainSegmenter(t)
	tests := []struct {
		in, term    string
		defaultCuts []string
	}{
		{"双十一领券立减", "双十一", []string{"双十", "一", "领券立", "减"}},
		{"双十一领券立减", "领券", nil},
		{"快上小黄车", "小黄车", []string{"快上", "小", "黄车"}},
		{"这条速干裤显瘦", "速干", []string{"这条速", "干裤", "显瘦"}},
	}
	for _, tt := range tests {
		assert.Contains(t, s.Cut(tt.in), tt.term, tt.in)
		if tt.defaultCuts != nil {
			assert.Equal(t, tt.defaultCuts, plain.Cut(tt.in), "default dictionary cuts of %s", tt.in)
		}
	}
}

// plainSegmenter loads the embedded base dictionaries with an empty-ish
// user dictionary, through DictDir (shared by the tests of this file).
var plainOnce = sync.OnceValues(func() (*Segmenter, error) {
	dir, err := os.MkdirTemp("", "elib-plain-dict")
	if err != nil {
		return nil, err
	}
	files, err := embeddedFiles()
	if err != nil {
		return nil, err
	}
	files[FileUserDict] = []byte("云计算 10 n\n")
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, err
		}
	}
	return New(Options{DictDir: dir})
})

func plainSegmenter(t *testing.T) *Segmenter {
	s, err := plainOnce()
	require.NoError(t, err)
	return s
}

func TestVerbs(t *testing.T) {
	s := seg(t)
	assert.Equal(t, []string{"领券", "下单", "优惠"}, s.Verbs("先领券再下单，是真的有优惠，领券"))
	assert.Empty(t, s.Verbs("是有在"))
}

// TestVerbsOfRealCopy: copy lines of the sample library (corpus/). jieba's
// dictionary tags 开水, 牙刷, 快递, 反光 and 防水 as verbs; right after a
// one-character verb (进开水, 拿牙刷, 取快递) they are its object, and a
// complement (吃起来, 泡出来, 寄回去) finishes the verb before it; neither is
// a copy verb. A verb after a verb of attitude or a modal stays one (敢关掉).
func TestVerbsOfRealCopy(t *testing.T) {
	s := seg(t)
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"boiled water (issue 24 item 8)", "今天点击下方链接，一套三个只要四十九，送防掉链和收纳盒，可以直接进开水消毒，满月礼物也很合适。",
			[]string{"点击", "进", "消毒"}},
		{"a toothbrush", "儿科牙医推荐的这款低氟牙膏是草莓味的，每次挤米粒大小就够，儿子现在早晚主动拿牙刷，半年检查一颗蛀牙都没有。",
			[]string{"推荐", "挤", "拿", "检查"}},
		{"a parcel; a modal's verb stays", "我坚持用这瓶烟酰胺精华二十八天，早晚各按两泵，现在素颜下楼取快递都不慌，自拍的时候连美颜滤镜都敢关掉了。",
			[]string{"坚持", "下楼", "取", "敢", "关掉"}},
		{"a reflective strip", "点击下方链接，今天牵引绳加胸背带套装到手七十九，尺码按胸围选，不合适包换，晚上遛狗带反光条更安全。",
			[]string{"点击", "包换", "遛狗", "带"}},
		{"a waterproof sheet", "今天直播间一点五米款到手三百四十九，点小黄车下单送防水床笠，真空压缩发货，打开两个小时就回弹。",
			[]string{"下单", "送", "压缩", "打开"}},
		{"complements", "朋友送的茶叶泡出来又苦又涩，挑了最轻最软的一床寄回去。",
			[]string{"送", "泡", "挑", "寄"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, s.Verbs(tc.text))
		})
	}
}

func TestTokenizeSearch(t *testing.T) {
	s := seg(t)
	in := "中华人民共和国双十一"
	got := s.TokenizeSearch(in)
	require.NotEmpty(t, got)
	var texts []string
	for _, tok := range got {
		assert.Equal(t, in[tok.Start:tok.End], tok.Text)
		texts = append(texts, tok.Text)
	}
	assert.Contains(t, texts, "中华")
	assert.Contains(t, texts, "中华人民共和国")
}

func TestConcurrentTokenize(t *testing.T) {
	s := seg(t)
	in := "宝子们快上小黄车，双十一领券立减，到手价只要99元！"
	want := s.Tokenize(in)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if got := s.Tokenize(in); !assert.Equal(t, want, got) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestValidateDictionaries(t *testing.T) {
	files, err := embeddedFiles()
	require.NoError(t, err)
	for name, data := range files {
		assert.NoError(t, validate(name, data), name)
	}
	tests := []struct {
		name, role, content string
	}{
		{"empty dict", FileDict, ""},
		{"dict two columns", FileDict, "你好 3 n\n世界 3\n"},
		{"dict empty line", FileDict, "你好 3 n\n\n世界 3 n\n"},
		{"dict bad freq", FileDict, "你好 x n\n"},
		{"user dict four fields", FileUserDict, "小黄车 100 n extra\n"},
		{"user dict bad freq", FileUserDict, "小黄车 many n\n"},
		{"user dict invalid utf8", FileUserDict, "\xff\xfe 10 n\n"},
		{"user dict empty", FileUserDict, "\n\n"},
		{"idf one column", FileIDF, "直播间\n"},
		{"idf zero average", FileIDF, "直播间 0\n"},
		{"hmm truncated", FileHMM, "#x\n-0.1 -0.2 -0.3 -0.4\n"},
		{"stop words empty", FileStopWords, ""},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			require.NoError(t, os.WriteFile(p, []byte(tt.content), 0o644))
			err := ValidateFile(tt.role, p)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidDict), "%v", err)
		})
	}
}

func TestNewRejectsBadDictDir(t *testing.T) {
	// Missing directory/file: gojieba would panic.
	_, err := New(Options{DictDir: filepath.Join(t.TempDir(), "nope")})
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrNotExist)

	// Malformed main dictionary: cppjieba would abort the process.
	dir := t.TempDir()
	files, err := embeddedFiles()
	require.NoError(t, err)
	files[FileDict] = []byte("你好 3 n\nbroken line\n")
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	_, err = New(Options{DictDir: dir})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalidDict)
	assert.Contains(t, err.Error(), "line 2")

	// Bad extra user dictionary.
	bad := filepath.Join(t.TempDir(), "user.txt")
	require.NoError(t, os.WriteFile(bad, []byte("a b c d\n"), 0o644))
	_, err = New(Options{UserDict: bad})
	assert.ErrorIs(t, err, ErrInvalidDict)
	_, err = New(Options{UserDict: "/tmp/a|b"})
	assert.Error(t, err)
}

func TestChecksumVerified(t *testing.T) {
	data := []byte("云计算 10 n\n")
	sum := "0000000000000000000000000000000000000000000000000000000000000000"
	assert.ErrorIs(t, verifyChecksum("x", data, sum), ErrChecksum)
	assert.ErrorIs(t, verifyChecksum("x", data, ""), ErrChecksum)

	// The embedded files all match the recorded sums, and flipping one
	// byte of any of them is detected.
	sumsText, err := embedded.ReadFile("dict/SHA256SUMS")
	require.NoError(t, err)
	sums, err := parseSums(sumsText)
	require.NoError(t, err)
	files, err := embeddedFiles()
	require.NoError(t, err)
	for name, content := range files {
		plain := strings.TrimSuffix(embeddedSource[name], ".zst")
		require.NoError(t, verifyChecksum(plain, content, sums[plain]))
		bad := append([]byte{}, content...)
		bad[len(bad)/2] ^= 1
		assert.ErrorIs(t, verifyChecksum(plain, bad, sums[plain]), ErrChecksum, name)
	}
}

func TestCacheDirFallback(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	files, err := embeddedFiles()
	require.NoError(t, err)
	paths, err := cacheDirPaths(files)
	require.NoError(t, err)
	for i, p := range paths {
		got, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Equal(t, files[fileNames[i]], got)
	}
	// Corrupt one file: the next call repairs it.
	require.NoError(t, os.WriteFile(paths[0], []byte("x"), 0o644))
	paths2, err := cacheDirPaths(files)
	require.NoError(t, err)
	assert.Equal(t, paths, paths2)
	got, err := os.ReadFile(paths[0])
	require.NoError(t, err)
	assert.Equal(t, files[fileNames[0]], got)
}

func TestMarketingDictSize(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(string(MarketingDict())), "\n")
	assert.GreaterOrEqual(t, len(lines), 300)
	for _, term := range []string{"小黄车", "直播间", "种草", "宝子们", "家人们", "领券", "立减", "爆款", "双十一", "双11", "618", "到手价", "下单", "拍一发二", "包邮", "秒杀", "回购", "亲测", "好评", "平替", "性价比", "颜值", "显瘦", "速干", "控油"} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, term+" ") {
				found = true
				break
			}
		}
		assert.True(t, found, term)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "双十一领券立减，到手价只要99元！", "a\xffb下\x00单😀 啦", "宝子们快上小黄車", "\x00\x00", "ＡＢＣ１２３ hello"} {
		f.Add(s)
	}
	s, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		prevEnd := 0
		for _, tok := range s.Tokenize(in) {
			if tok.Start < prevEnd || tok.End <= tok.Start || tok.End > len(in) {
				t.Fatalf("bad token %+v after %d in %q", tok, prevEnd, in)
			}
			if in[tok.Start:tok.End] != tok.Text || !utf8.ValidString(tok.Text) {
				t.Fatalf("token %+v != input slice %q", tok, in[tok.Start:tok.End])
			}
			prevEnd = tok.End
		}
	})
}

// MarketingDict returns the shipped marketing user dictionary
// (one "word freq tag" line per term).
func MarketingDict() []byte {
	b, err := embedded.ReadFile("dict/marketing.dict.utf8")
	if err != nil {
		panic(fmt.Sprintf("segment: embedded marketing dictionary missing: %v", err))
	}
	return b
}
