package verify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fingerprint/normalize"
)

var norm = normalize.New()

func TestCompare(t *testing.T) {
	tests := []struct {
		name, query, lib string
		spans            []Span
		covered          int
		containment      float64
	}{
		{"identical", "宝子们快上小黄车", "宝子们快上小黄车", []Span{{0, 8, 0, 8}}, 8, 1},
		{"run exactly MinRun", "今天宝子们快上了", "啊啊宝子们快上哦", []Span{{2, 7, 2, 7}}, 5, 1.0 / 4},
		{"run MinRun-1", "今天宝子们快了", "啊啊宝子们快哦", nil, 0, 0},
		{"two spans", "领券立减五十元我们还包邮到家哦", "先领券立减五十元再说包邮到家哦", []Span{{0, 7, 1, 8}, {10, 15, 10, 15}}, 12, 4.0 / 11},
		{"nothing shared", "今天天气很好", "明天去跑马拉松", nil, 0, 0},
		{"query too short", "小黄车", "小黄车小黄车", nil, 0, 0},
		{"punctuation and emoji in the original", "宝子们，快上😀小黄车！", "宝子们快上小黄车", []Span{{0, 10, 0, 8}}, 8, 1},
		{"traditional and full width original", "這個軟體ＡＢＣ", "这个软件abc", []Span{{0, 7, 0, 7}}, 7, 1},
		{"annotation inside the run", "宝子们（镜头：推近）快上小黄车", "宝子们快上小黄车", []Span{{0, 15, 0, 8}}, 8, 1},
		{"lib offsets mapped too", "快上小黄车", "今天，宝子们，快上小黄车。", []Span{{0, 5, 7, 12}}, 5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, l := norm.Normalize(tt.query), norm.Normalize(tt.lib)
			got := Compare(q, l, Options{})
			assert.Equal(t, tt.spans, got.Spans)
			assert.Equal(t, tt.covered, got.CoveredCount)
			assert.InDelta(t, tt.containment, got.Containment, 1e-9)
			require.Len(t, got.Covered, q.Len())
			n := 0
			for _, c := range got.Covered {
				if c {
					n++
				}
			}
			assert.Equal(t, got.CoveredCount, n)
		})
	}
}

func TestCompareMinRunOption(t *testing.T) {
	q, l := norm.Normalize("今天宝子们快了"), norm.Normalize("啊啊宝子们快哦")
	got := Compare(q, l, Options{MinRun: 4})
	assert.Equal(t, []Span{{2, 6, 2, 6}}, got.Spans)
}

func TestMatcherReuse(t *testing.T) {
	var m Matcher
	a := m.Compare(norm.Normalize(strings.Repeat("领券立减到手价", 10)), norm.Normalize("领券立减到手价"), Options{})
	b := m.Compare(norm.Normalize("快上小黄车"), norm.Normalize("宝子们快上小黄车"), Options{})
	assert.Equal(t, 70, a.CoveredCount)
	assert.Equal(t, []Span{{0, 5, 3, 8}}, b.Spans)
}

func TestJaccardContainment(t *testing.T) {
	a := []uint64{1, 2, 3, 4}
	b := []uint64{3, 4, 5}
	assert.InDelta(t, 2.0/5, Jaccard(a, b), 1e-9)
	assert.InDelta(t, 0.5, Containment(a, b), 1e-9)
	assert.InDelta(t, 2.0/3, Containment(b, a), 1e-9)
	assert.Zero(t, Jaccard(nil, nil))
	assert.Zero(t, Containment(nil, a))
	assert.Equal(t, 1.0, Jaccard(a, a))
}

func FuzzCompare(f *testing.F) {
	f.Add("宝子们，快上😀小黄车！", "宝子们快上小黄车", 5)
	f.Add("這個軟體ＡＢＣ", "这个软件abc", 3)
	f.Add("哈哈哈哈哈哈哈哈", "哈哈哈哈哈哈", 2)
	f.Fuzz(func(t *testing.T, qs, ls string, k int) {
		q, l := norm.Normalize(qs), norm.Normalize(ls)
		res := Compare(q, l, Options{MinRun: k % 8})
		if len(res.Covered) != q.Len() {
			t.Fatalf("Covered len %d, want %d", len(res.Covered), q.Len())
		}
		n := 0
		for _, c := range res.Covered {
			if c {
				n++
			}
		}
		if n != res.CoveredCount {
			t.Fatalf("CoveredCount %d, mask has %d", res.CoveredCount, n)
		}
		prevEnd := 0
		for _, s := range res.Spans {
			if s.Start < prevEnd || s.End <= s.Start || s.End > q.OrigLen || s.LibStart < 0 || s.LibEnd <= s.LibStart || s.LibEnd > l.OrigLen {
				t.Fatalf("bad span %+v (prev end %d, lens %d/%d)", s, prevEnd, q.OrigLen, l.OrigLen)
			}
			prevEnd = s.End
		}
		if res.Containment < 0 || res.Containment > 1 {
			t.Fatalf("containment %v", res.Containment)
		}
	})
}

func BenchmarkCompare300(b *testing.B) {
	base := []rune(strings.Repeat("宝子们今天给大家推荐一款超级好用的空气炸锅，无油也能做出酥脆的炸鸡翅，双十一领券立减五十元到手价只要一百九十九元！", 6))
	lib := norm.Normalize(string(base[:300]))
	qr := append([]rune{}, base[20:320]...)
	for i := 0; i < len(qr); i += 17 {
		qr[i] = '改'
	}
	q := norm.Normalize(string(qr))
	var m Matcher
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Compare(q, lib, Options{})
	}
}

func TestScreenAgreesWithCompare(t *testing.T) {
	n := normalize.New()
	query := n.Normalize("今天直播间立减五十，点击下方链接下单，再送同款小样三支。")
	tests := []struct {
		lib    string
		shared int
	}{
		{"今天直播间立减五十", 5}, // a 9-rune run: 9-5+1 grams
		{"点击下方链接", 2},    // 6 runes
		{"直播间立减", 1},     // exactly MinRun
		{"直播间立", 0},      // MinRun-1
		{"完全不同的一段文字内容", 0},
	}
	for _, tt := range tests {
		s := NewScreen(query, Options{})
		lib := n.Normalize(tt.lib)
		assert.Equal(t, tt.shared, s.Shared(lib), tt.lib)
		assert.Equal(t, tt.shared == 0, Compare(query, lib, Options{}).CoveredCount == 0, tt.lib)
	}
}

// TestWordTrimming: runs are trimmed to whole words of the query by at most
// MaxTrim runes per end, and a run too short once trimmed does not hide a
// longer run that starts inside it.
func TestWordTrimming(t *testing.T) {
	// starts marks word starts at the given rune offsets (and the end).
	starts := func(n int, at ...int) []bool {
		ws := make([]bool, n+1)
		for _, a := range at {
			ws[a] = true
		}
		ws[n] = true
		return ws
	}
	tests := []struct {
		name, query, lib string
		ws               func(n int) []bool
		covered          int
	}{
		// 晌午 replaces 中午: the surviving 午 is not counted.
		{"synonym swap trims the word's survivor", "晌午吃了一碗牛肉面", "中午吃了一碗牛肉面",
			func(n int) []bool { return starts(n, 0, 2, 3, 4, 5, 6, 8) }, 7},
		// One long token (a URL, a brand): the run keeps it.
		{"run ending inside a long token", "品牌flapjackkids60支", "品牌flapjackkids2019",
			func(n int) []bool { return starts(n, 0, 2, 16) }, 14},
		{"no word start at all", "flapjackkids60", "flapjackkids2019",
			func(n int) []bool { return starts(n, 0) }, 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := norm.Normalize(tc.query)
			res := Compare(q, norm.Normalize(tc.lib), Options{WordStarts: tc.ws(len(q.Runes))})
			assert.Equal(t, tc.covered, res.CoveredCount)
		})
	}
}

// Test-only helpers: the product compares with a reused Matcher and screens
// with Parts; these are the plain forms the tests use as oracles.

// Compare finds the common runs of >= MinRun countable runes between query
// and lib (both normalised) with a fresh Matcher: the tests' shorthand.
func Compare(query, lib normalize.Text, opts Options) Result {
	var m Matcher
	return m.Compare(query, lib, opts)
}

// Containment returns |a∩b| / |a| of two sorted, deduplicated hash sets
// (0 when a is empty).
func Containment(a, b []uint64) float64 {
	if len(a) == 0 {
		return 0
	}
	return float64(intersect(a, b)) / float64(len(a))
}

// Shared returns how many of lib's MinRun-grams (by position) occur in the
// query; 0 means Compare would find nothing. A shared run of L runes gives
// L-MinRun+1.
func (s *Screen) Shared(lib normalize.Text) int {
	n := 0
	for i := 0; i+s.k <= len(lib.Runes); i++ {
		if _, ok := s.grams[gramHash(lib.Runes[i:i+s.k])]; ok {
			n++
		}
	}
	return n
}
