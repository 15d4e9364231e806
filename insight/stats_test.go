package insight

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/fingerprint"
	"elib/index"
	"elib/internal/elibtest"
)

var (
	engOnce sync.Once
	eng     *fingerprint.Engine
	engErr  error
)

// The hit's hook, reused by three later scripts.
const hitHook = "你是不是每天早上都为了挑衣服烦恼半小时？"

// Original copy nobody else uses: one sentence per element.
var fresh = []string{
	"衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好。",
	"我用了这套胶囊衣橱搭配方案整整三个月，亲测每天出门只要五分钟，同事都夸我气色变好了。",
	"点击下方链接下单，今天直播间限时立减五十元，前一百名还送真丝发圈。",
	"去年冬天我一个人搬到北方的小城，暖气还没来，晚上冷得睡不着，楼下便利店的阿姨塞给我一个暖手宝。",
	"涂层一刮就花，炒菜粘底还冒黑烟，换一口新锅又要好几百块，厨房里全是油烟味道。",
	"我妈用了这支硅胶锅铲半年，锅底还是光亮如新，煎蛋一点都不粘，洗起来也特别省事。",
	"很多人以为跑步膝盖疼是跑得太多，其实问题出在鞋底的缓震上，换双鞋就能缓解不少。",
	"这台恒温水壶五分钟就能烧开一壶，还能保温在四十五度冲奶粉，半夜喂奶再也不手忙脚乱。",
}

func scripted(id, published, platform string, texts ...string) element.Asset {
	a := element.Asset{ID: id, Meta: map[string]any{"published": published, "platform": platform}}
	types := []element.Type{element.Hook, element.Conflict, element.Testimonial, element.Conversion}
	for i, t := range texts {
		a.Elements = append(a.Elements, element.Element{Type: types[i%len(types)], Text: t})
	}
	a.Reoffset()
	return a
}

// reuseLibrary: a January hit, three reuses of its hook in March (the
// first and last exactly 14 days apart), one unrelated April script.
func reuseLibrary(t *testing.T, lastUse string) *index.Library {
	t.Helper()
	assets := []element.Asset{
		scripted("hit", "2026-01-05", "抖音", hitHook, fresh[0], fresh[1], fresh[2]),
		scripted("u1", "2026-03-01T12:00:00Z", "抖音", hitHook, fresh[3]),
		scripted("u2", "2026-03-08T12:00:00Z", "小红书", hitHook, fresh[4]),
		scripted("u3", lastUse, "抖音", hitHook, fresh[5]),
		scripted("other", "2026-04-02", "视频号", fresh[6], fresh[7]),
	}
	lib, err := index.Memory(context.Background(), elibtest.Engine(t), assets)
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	return lib
}

func day(s string) time.Time {
	t, err := element.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestStatsPerPeriod(t *testing.T) {
	lib := reuseLibrary(t, "2026-03-15T12:00:00Z")
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		since, until  string
		assets, elems int
		reused        int
	}{
		{"January: the original reuses nothing, not even its later copies", "2026-01-01", "2026-01-31", 1, 4, 0},
		{"March: three reuses of the hook", "2026-03-01", "2026-03-31", 3, 6, 3},
		{"April: unrelated", "2026-04-01", "2026-04-30", 1, 2, 0},
		{"all time", "", "", 5, 12, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.since != "" {
				opts.Since = day(tc.since)
				opts.Until = day(tc.until).Add(24*time.Hour - 1)
			}
			st, err := Compute(ctx, elibtest.Engine(t), lib, opts)
			require.NoError(t, err)
			assert.Equal(t, tc.assets, st.Assets)
			assert.Equal(t, tc.elems, st.Elements)
			assert.Equal(t, tc.reused, st.Reused)
			assert.InDelta(t, float64(tc.reused)/float64(tc.elems), st.ReuseRate, 1e-4)
			sum, throttled := 0, 0
			for l, n := range st.Levels {
				sum += n
				if l.Throttled() {
					throttled += n
				}
			}
			assert.Equal(t, st.Assets, sum, "every asset has a level")
			assert.Equal(t, throttled, st.Homogeneous)
			assert.InDelta(t, float64(throttled)/float64(st.Assets), st.Homogeneity, 1e-4)
			bucketAssets := 0
			for _, b := range st.Series {
				bucketAssets += b.Assets
			}
			assert.Equal(t, st.Assets, bucketAssets, "the series covers the period")
		})
	}

	st, err := Compute(ctx, elibtest.Engine(t), lib, Options{Now: day("2026-04-09T12:00:00Z")})
	require.NoError(t, err)
	require.NotEmpty(t, st.MostReused)
	assert.Equal(t, "hit#1", st.MostReused[0].ElementID, "reuse points at the origin, not a later copy")
	assert.Equal(t, 3, st.MostReused[0].Uses)
	assert.Equal(t, hitHook, st.MostReused[0].Text)
	// The series is continuous (issue 24 item 5): every Monday from the
	// oldest asset's week through the current one, empty weeks kept.
	series := func(st *Stats) map[string]int {
		out := map[string]int{}
		for _, b := range st.Series {
			out[b.Start] = b.Assets
		}
		return out
	}
	require.Len(t, st.Series, 14, "weekly buckets (Mondays) for a period under 120 days")
	for i, b := range st.Series {
		assert.Equal(t, day("2026-01-05").AddDate(0, 0, 7*i).Format(time.DateOnly), b.Start)
	}
	assert.Equal(t, map[string]int{"2026-01-05": 1, "2026-02-23": 1, "2026-03-02": 1, "2026-03-09": 1, "2026-03-30": 1}, nonzero(series(st)))
	assert.Equal(t, "2026-04-06", st.Series[13].Start, "the current week is in the series")
	assert.Zero(t, st.Series[1].ReuseRate, "an empty week has zero figures")

	st, err = Compute(ctx, elibtest.Engine(t), lib, Options{Since: day("2025-11-01"), Until: day("2026-04-30")})
	require.NoError(t, err)
	starts := []string{}
	for _, b := range st.Series {
		starts = append(starts, b.Start)
	}
	assert.Equal(t, []string{"2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"}, starts,
		"monthly buckets for a longer period, empty months kept, across the year")
	assert.Equal(t, map[string]int{"2026-01-01": 1, "2026-03-01": 3, "2026-04-01": 1}, nonzero(series(st)))

	// Without Until the series runs through the current month.
	st, err = Compute(ctx, elibtest.Engine(t), lib, Options{Since: day("2026-01-01"), Now: day("2026-07-20T08:00:00Z")})
	require.NoError(t, err)
	require.NotEmpty(t, st.Series)
	assert.Equal(t, "2026-01-01", st.Series[0].Start)
	assert.Equal(t, "2026-07-01", st.Series[len(st.Series)-1].Start)
	assert.Len(t, st.Series, 7)

	st, err = Compute(ctx, elibtest.Engine(t), lib, Options{Since: day("2026-03-01"), By: ByPlatform})
	require.NoError(t, err)
	byKey := map[string]Group{}
	for _, g := range st.Groups {
		byKey[g.Key] = g
	}
	assert.Equal(t, 2, byKey["抖音"].Assets)
	assert.Equal(t, 2, byKey["抖音"].Reused)
	assert.Equal(t, 1, byKey["小红书"].Assets)
	assert.Equal(t, 1, byKey["视频号"].Assets)
	assert.Equal(t, 0, byKey["视频号"].Reused)
}

func TestFatigueEdges(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		lastUse  string
		k, d     int
		fatigued bool
	}{
		{"K uses exactly D days apart", "2026-03-15T12:00:00Z", 3, 14, true},
		{"one second past D days", "2026-03-15T12:00:01Z", 3, 14, false},
		{"D one day shorter", "2026-03-15T12:00:00Z", 3, 13, false},
		{"K one more than the uses", "2026-03-15T12:00:00Z", 4, 14, false},
		{"K two", "2026-03-15T12:00:01Z", 2, 14, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib := reuseLibrary(t, tc.lastUse)
			st, err := Compute(ctx, elibtest.Engine(t), lib, Options{FatigueUses: tc.k, FatigueDays: tc.d})
			require.NoError(t, err)
			if !tc.fatigued {
				assert.Empty(t, st.Fatigued)
				return
			}
			require.Len(t, st.Fatigued, 1)
			f := st.Fatigued[0]
			assert.Equal(t, "hit#1", f.ElementID)
			assert.GreaterOrEqual(t, len(f.WindowUses), tc.k)
			assert.Contains(t, f.Members, "u3#1")
		})
	}
}

func TestCheckWarnsOnFatiguedElement(t *testing.T) {
	lib := reuseLibrary(t, "2026-03-15T12:00:00Z")
	ctx := context.Background()
	e := elibtest.Engine(t)
	fat, err := CurrentFatigue(ctx, e, lib, day("2026-03-15T12:00:00Z"), Options{})
	require.NoError(t, err)
	require.Len(t, fat.Elements, 1)

	c, err := check.New(e, check.Options{}, lib)
	require.NoError(t, err)
	draft := scripted("draft.md", "", "", hitHook, "这款保温杯我带去爬山一整天，晚上倒出来的水还是烫嘴的，冬天出门必备。")
	res, err := c.Check(ctx, "draft.md", &draft)
	require.NoError(t, err)
	verdict := res.Verdict
	fat.Warn(res)
	require.Len(t, res.Warnings, 1)
	w := res.Warnings[0]
	assert.Equal(t, check.WarnFatigued, w.Kind)
	assert.Equal(t, 0, w.Element)
	assert.Equal(t, "hit#1", w.ElementID)
	assert.Len(t, w.Uses, 3)
	assert.Contains(t, w.Message, "u1")
	assert.Equal(t, verdict, res.Verdict, "a warning never changes the verdict")

	// A month later the hook has rested: no warning.
	fat, err = CurrentFatigue(ctx, e, lib, day("2026-04-20"), Options{})
	require.NoError(t, err)
	res, err = c.Check(ctx, "draft.md", &draft)
	require.NoError(t, err)
	fat.Warn(res)
	assert.Empty(t, res.Warnings)
}

func TestBusiestWindow(t *testing.T) {
	ts := []time.Time{day("2026-01-01"), day("2026-01-10"), day("2026-01-15"), day("2026-02-01"), day("2026-02-02")}
	lo, hi, n := busiestWindow(ts, 14*24*time.Hour)
	assert.Equal(t, 3, n)
	assert.Equal(t, 0, lo)
	assert.Equal(t, 3, hi)
	_, _, n = busiestWindow(nil, time.Hour)
	assert.Equal(t, 0, n)
}

// TestLibraryReuse: the library-wide reuse rate (`elib stats`) is the
// check's rule over every asset: the three later hooks reuse the hit's,
// nothing else reuses; the sample cap keeps the newest assets.
func TestLibraryReuse(t *testing.T) {
	lib := reuseLibrary(t, "2026-03-15T12:00:00Z")
	ctx := context.Background()
	f, err := LibraryReuse(ctx, elibtest.Engine(t), lib, Options{Since: day("2026-03-10")})
	require.NoError(t, err)
	assert.Equal(t, 5, f.Assets, "the period options are ignored")
	assert.Equal(t, 12, f.Elements)
	assert.Equal(t, 3, f.Reused)
	assert.InDelta(t, 3.0/12, f.ReuseRate, 1e-4)

	f, err = LibraryReuse(ctx, elibtest.Engine(t), lib, Options{MaxAssets: 2})
	require.NoError(t, err)
	assert.Equal(t, 2, f.Assets, "the newest two: u3 and other")
	assert.Equal(t, 1, f.Reused)
}

// nonzero keeps the buckets holding assets.
func nonzero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v > 0 {
			out[k] = v
		}
	}
	return out
}

// TestSeriesInZone: weeks and months begin in Options.Zone, so a script
// published early on 1 December in Hangzhou is December's, and the
// current month is Hangzhou's.
func TestSeriesInZone(t *testing.T) {
	lib := reuseLibrary(t, "2026-03-31T20:00:00Z") // 1 April, 04:00 in Asia/Shanghai
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	ctx := context.Background()
	opts := Options{Since: day("2025-12-01"), Until: day("2026-04-30")}
	utc, err := Compute(ctx, elibtest.Engine(t), lib, opts)
	require.NoError(t, err)
	opts.Zone = shanghai
	cst, err := Compute(ctx, elibtest.Engine(t), lib, opts)
	require.NoError(t, err)
	count := func(st *Stats, start string) int {
		for _, b := range st.Series {
			if b.Start == start {
				return b.Assets
			}
		}
		return -1
	}
	assert.Equal(t, 3, count(utc, "2026-03-01"))
	assert.Equal(t, 1, count(utc, "2026-04-01"))
	assert.Equal(t, 2, count(cst, "2026-03-01"), "u3 was published in April in Asia/Shanghai")
	assert.Equal(t, 2, count(cst, "2026-04-01"))

	// Without Until, the series ends in Now's month in the zone.
	st, err := Compute(ctx, elibtest.Engine(t), lib, Options{Since: day("2026-01-01"), Now: day("2026-06-30T17:00:00Z"), Zone: shanghai})
	require.NoError(t, err)
	assert.Equal(t, "2026-07-01", st.Series[len(st.Series)-1].Start, "1 July already in Hangzhou")
}

// TestComputeStopsOnCancel: a cancelled stats run stops handing out
// assets and answers with one error, not one per remaining asset.
func TestComputeStopsOnCancel(t *testing.T) {
	var assets []element.Asset
	for i := range 400 {
		assets = append(assets, scripted(fmt.Sprintf("a%03d", i), "2026-03-01", "抖音", fresh[i%len(fresh)], fresh[(i+1)%len(fresh)]))
	}
	lib, err := index.Memory(context.Background(), elibtest.Engine(t), assets)
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as by Ctrl-C before the first check ends
	start := time.Now()
	_, err = Compute(ctx, elibtest.Engine(t), lib, Options{})
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), time.Second, "stops within a second")
	assert.Equal(t, 1, strings.Count(err.Error(), "canceled"), "one error line: %v", err)
}
