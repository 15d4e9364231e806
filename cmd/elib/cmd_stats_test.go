package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reuseFeed writes a JSONL export: a hit published 60 days ago whose hook
// three later scripts reused within the last 10 days.
func reuseFeed(t *testing.T, dir string) string {
	t.Helper()
	now := time.Now().UTC()
	ago := func(d int) string { return now.AddDate(0, 0, -d).Format(time.RFC3339) }
	hook := "你是不是每天早上都为了挑衣服烦恼半小时？"
	lines := []string{
		fmt.Sprintf(`{"id":"hit","meta":{"published":%q,"platform":"抖音","plays":980000},"elements":[{"type":"hook","text":%q},{"type":"conflict","text":"衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好。"},{"type":"conversion","text":"点击下方链接下单，今天直播间限时立减五十元，前一百名还送真丝发圈。"}]}`, ago(60), hook),
		fmt.Sprintf(`{"id":"u1","meta":{"published":%q,"platform":"抖音"},"elements":[{"type":"hook","text":%q},{"type":"conflict","text":"涂层一刮就花，炒菜粘底还冒黑烟，换一口新锅又要好几百块，厨房里全是油烟味道。"}]}`, ago(10), hook),
		fmt.Sprintf(`{"id":"u2","meta":{"published":%q,"platform":"小红书"},"elements":[{"type":"hook","text":%q},{"type":"conflict","text":"很多人以为跑步膝盖疼是跑得太多，其实问题出在鞋底的缓震上，换双鞋就能缓解不少。"}]}`, ago(5), hook),
		fmt.Sprintf(`{"id":"u3","meta":{"published":%q,"platform":"抖音"},"elements":[{"type":"hook","text":%q},{"type":"conflict","text":"这台恒温水壶五分钟就能烧开一壶，还能保温在四十五度冲奶粉，半夜喂奶再也不手忙脚乱。"}]}`, ago(1), hook),
	}
	p := filepath.Join(dir, "feed.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return p
}

func TestStatsAndFatigueE2E(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	_, se, code := runElib(t, dir, nil, "--library", lib, "init")
	require.Equal(t, 0, code, se)
	_, se, code = runElib(t, dir, nil, "--library", lib, "import", reuseFeed(t, dir))
	require.Equal(t, 0, code, se)

	out, se, code := runElib(t, dir, nil, "--library", lib, "--format", "json", "stats", "--since", "30d", "--by", "platform")
	require.Equal(t, 0, code, se)
	var st struct {
		Assets int `json:"assets"`
		Period struct {
			Assets      int            `json:"assets"`
			Elements    int            `json:"elements"`
			Reused      int            `json:"reused"`
			ReuseRate   float64        `json:"reuse_rate"`
			Homogeneity float64        `json:"homogeneity"`
			Levels      map[string]int `json:"levels"`
			MostReused  []struct {
				ElementID string `json:"element_id"`
				Uses      int    `json:"uses"`
			} `json:"most_reused"`
			Fatigued []struct {
				ElementID  string `json:"element_id"`
				WindowUses []struct {
					AssetID string `json:"asset_id"`
				} `json:"window_uses"`
			} `json:"fatigued"`
			Groups []struct {
				Key    string `json:"key"`
				Assets int    `json:"assets"`
			} `json:"groups"`
		} `json:"period"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &st), out)
	assert.Equal(t, 4, st.Assets)
	assert.Equal(t, 3, st.Period.Assets, "the hit is older than 30 days")
	assert.Equal(t, 6, st.Period.Elements)
	assert.Equal(t, 3, st.Period.Reused)
	assert.Equal(t, 0.5, st.Period.ReuseRate)
	require.NotEmpty(t, st.Period.MostReused)
	assert.Equal(t, "hit#1", st.Period.MostReused[0].ElementID)
	assert.Equal(t, 3, st.Period.MostReused[0].Uses)
	require.Len(t, st.Period.Fatigued, 1)
	assert.Len(t, st.Period.Fatigued[0].WindowUses, 3)
	assert.Len(t, st.Period.Groups, 2)

	// Text output names the figures.
	out, se, code = runElib(t, dir, nil, "--library", lib, "stats", "--since", "30d")
	require.Equal(t, 0, code, se)
	for _, want := range []string{"reuse rate", "50.0 %", "homogeneity", "fatigued      1 element(s)", "hit#1"} {
		assert.Contains(t, out, want)
	}

	// check warns — never rejects — on the fatigued hook.
	draft := filepath.Join(dir, "draft.md")
	require.NoError(t, os.WriteFile(draft, []byte("【钩子】你是不是每天早上都为了挑衣服烦恼半小时？\n【冲突】这款保温杯我带去爬山一整天，晚上倒出来的水还是烫嘴的，冬天出门必备，办公室里也离不开它。\n【转化】评论区扣一，我把购买方式发给你，今天下单还送一个杯套。\n"), 0o644))
	cacheEnv := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	out, se, code = runElib(t, dir, cacheEnv, "--library", lib, "--format", "json", "check", draft)
	require.Equal(t, 0, code, "a warning is no rejection: %s %s", out, se)
	cached, err := filepath.Glob(filepath.Join(dir, "cache", "elib", "fatigue-*.json"))
	require.NoError(t, err)
	require.Len(t, cached, 1, "the fatigue is cached for the next check")
	again, _, _ := runElib(t, dir, cacheEnv, "--library", lib, "--format", "json", "check", draft)
	assert.JSONEq(t, out, again, "the cached fatigue gives the same warnings")
	var ck struct {
		Results []struct {
			Verdict  string `json:"verdict"`
			Level    string `json:"level"`
			Warnings []struct {
				Kind      string `json:"kind"`
				ElementID string `json:"element_id"`
				Message   string `json:"message"`
			} `json:"warnings"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &ck), out)
	require.Len(t, ck.Results, 1)
	assert.Equal(t, "pass", ck.Results[0].Verdict)
	require.Len(t, ck.Results[0].Warnings, 1)
	assert.Equal(t, "fatigued_element", ck.Results[0].Warnings[0].Kind)
	assert.Equal(t, "hit#1", ck.Results[0].Warnings[0].ElementID)
	out, _, _ = runElib(t, dir, cacheEnv, "--library", lib, "check", draft)
	assert.Contains(t, out, "warning:")
	out, _, _ = runElib(t, dir, cacheEnv, "--library", lib, "--format", "json", "check", "--no-fatigue", draft)
	assert.NotContains(t, out, "fatigued_element")

	// Bad flags are errors.
	for _, bad := range [][]string{{"--since", "soon"}, {"--by", "color"}, {"--fatigue-uses", "0", "--since", "1d"}} {
		_, _, code := runElib(t, dir, nil, append([]string{"--library", lib, "stats"}, bad...)...)
		assert.Equal(t, 2, code, "%v", bad)
	}
}

// TestImportOutcomesLater: `import --outcomes-later` stores no check
// outcomes (a file library keeps them under outcomes/), a plain import
// stores them; the stats that follow are the same either way and leave
// every outcome stored.
func TestImportOutcomesLater(t *testing.T) {
	corpusDir := repoPath(t, "corpus/library")
	stats := func(t *testing.T, lib string) (string, int) {
		t.Helper()
		out, stderr, code := runElib(t, t.TempDir(), nil, "--library", lib, "stats", "--since", "3650d", "--format", "json")
		require.Equal(t, 0, code, stderr)
		var st struct {
			Period struct {
				Outcomes struct{ Stored, Stale int }
			}
		}
		require.NoError(t, json.Unmarshal([]byte(out), &st), out)
		assert.Zero(t, st.Period.Outcomes.Stale, "stats leaves every outcome stored")
		// The figures without the outcome counters and timings.
		var all map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &all))
		period := all["period"].(map[string]any)
		delete(period, "outcomes")
		delete(period, "took_ms")
		delete(period, "since") // now minus 3650 days
		b, err := json.Marshal(period)
		require.NoError(t, err)
		return string(b), st.Period.Outcomes.Stored
	}
	storedFiles := func(lib string) int {
		files, _ := filepath.Glob(filepath.Join(lib, "outcomes", "out-*"))
		return len(files)
	}
	var figures []string
	for _, later := range []bool{false, true} {
		lib := filepath.Join(t.TempDir(), "lib")
		_, stderr, code := runElib(t, t.TempDir(), nil, "--library", lib, "init")
		require.Equal(t, 0, code, stderr)
		args := []string{"--library", lib, "import", corpusDir}
		if later {
			args = append(args, "--outcomes-later")
		}
		_, stderr, code = runElib(t, t.TempDir(), nil, args...)
		require.Equal(t, 0, code, stderr)
		if later {
			assert.Zero(t, storedFiles(lib), "nothing judged at import")
		} else {
			assert.Positive(t, storedFiles(lib), "judged at import")
		}
		got, stored := stats(t, lib)
		assert.Positive(t, stored)
		assert.Positive(t, storedFiles(lib))
		figures = append(figures, got)
	}
	assert.Equal(t, figures[0], figures[1], "the same stats either way")
}

// Stats collects less often while it reads stored outcomes, goes back to
// the default target with a memory limit of half the machine once it
// checks, and leaves both as they were.
func TestStatsMemory(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("$GOGC or $GOMEMLIMIT set: stats leaves them alone")
	}
	gc := debug.SetGCPercent(100)
	defer debug.SetGCPercent(gc)
	limit := debug.SetMemoryLimit(-1)
	m := newStatsMemory()
	assert.Equal(t, statsReadGCPercent, debug.SetGCPercent(statsReadGCPercent))
	m.checking()
	assert.Equal(t, 100, debug.SetGCPercent(100))
	if total := machineMemory(); total > 0 {
		assert.Equal(t, total/2, debug.SetMemoryLimit(-1))
	}
	m.restore()
	assert.Equal(t, 100, debug.SetGCPercent(100))
	assert.Equal(t, limit, debug.SetMemoryLimit(-1))
}
