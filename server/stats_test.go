package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
)

// reuseServer serves a library where a hit's hook was reused by three
// scripts in the last ten days, at a fixed now.
func reuseServer(t *testing.T) (*httptest.Server, time.Time) {
	t.Helper()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	hook := "你是不是每天早上都为了挑衣服烦恼半小时？"
	mk := func(id string, daysAgo int, platform string, texts ...string) element.Asset {
		a := element.Asset{ID: id, Meta: map[string]any{"published": now.AddDate(0, 0, -daysAgo).Format(time.RFC3339), "platform": platform}}
		for i, tx := range texts {
			a.Elements = append(a.Elements, element.Element{Type: []element.Type{element.Hook, element.Conflict, element.Conversion}[i], Text: tx})
		}
		a.Reoffset()
		return a
	}
	assets := []element.Asset{
		mk("hit", 60, "抖音", hook, "衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好。"),
		mk("u1", 10, "抖音", hook, "涂层一刮就花，炒菜粘底还冒黑烟，换一口新锅又要好几百块，厨房里全是油烟味道。"),
		mk("u2", 5, "小红书", hook, "很多人以为跑步膝盖疼是跑得太多，其实问题出在鞋底的缓震上，换双鞋就能缓解不少。"),
		mk("u3", 1, "抖音", hook, "这台恒温水壶五分钟就能烧开一壶，还能保温在四十五度冲奶粉，半夜喂奶再也不手忙脚乱。"),
	}
	lib, err := index.Memory(context.Background(), elibtest.Engine(t), assets)
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	s, err := New(Options{Library: lib, Engine: elibtest.Engine(t), Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, now
}

func TestStatsAPI(t *testing.T) {
	ts, _ := reuseServer(t)
	status, _, body := do(t, "GET", ts.URL+"/v1/stats?since=30d&by=platform", "", "")
	require.Equal(t, http.StatusOK, status, body)
	var got struct {
		Assets int `json:"assets"`
		Period struct {
			Assets    int     `json:"assets"`
			ReuseRate float64 `json:"reuse_rate"`
			Fatigued  []struct {
				ElementID string `json:"element_id"`
			} `json:"fatigued"`
			Groups []struct {
				Key string `json:"key"`
			} `json:"groups"`
			Series []struct {
				Start string `json:"start"`
			} `json:"series"`
		} `json:"period"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	assert.Equal(t, 4, got.Assets)
	assert.Equal(t, 3, got.Period.Assets)
	assert.Equal(t, 0.5, got.Period.ReuseRate)
	require.Len(t, got.Period.Fatigued, 1)
	assert.Equal(t, "hit#1", got.Period.Fatigued[0].ElementID)
	assert.Len(t, got.Period.Groups, 2)
	assert.NotEmpty(t, got.Period.Series)

	for _, bad := range []string{"since=soon", "by=colour", "fatigue_uses=0", "top=x"} {
		status, _, body := do(t, "GET", ts.URL+"/v1/stats?"+bad, "", "")
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", bad, body)
	}
}

func TestCheckAPIWarnsOnFatigue(t *testing.T) {
	ts, _ := reuseServer(t)
	body := `{"text":"【钩子】你是不是每天早上都为了挑衣服烦恼半小时？\n【冲突】这款保温杯我带去爬山一整天，晚上倒出来的水还是烫嘴的，冬天出门必备，办公室里也离不开它。"}`
	status, _, out := do(t, "POST", ts.URL+"/v1/check", "application/json", body)
	require.Equal(t, http.StatusOK, status, out)
	var got struct {
		Results []struct {
			Verdict  string `json:"verdict"`
			Level    string `json:"level"`
			Warnings []struct {
				Kind string `json:"kind"`
			} `json:"warnings"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got.Results, 1)
	assert.NotEmpty(t, got.Results[0].Level)
	require.Len(t, got.Results[0].Warnings, 1, out)
	assert.Equal(t, "fatigued_element", got.Results[0].Warnings[0].Kind)
}

// TestFatigueNotRecomputedPerImport: a library change recomputes the
// fatigue only once the cached one is fatigueMinAge old, so a server
// taking imports does not recompute it after every one.
func TestFatigueNotRecomputedPerImport(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	lib, err := index.Memory(context.Background(), elibtest.Engine(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	s, err := New(Options{Library: lib, Engine: elibtest.Engine(t), Now: func() time.Time { return clock() },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ctx := context.Background()
	require.NotNil(t, s.currentFatigue(ctx), "the first fatigue is computed and waited for")
	// Each computation gets a new done channel.
	started := func() chan struct{} {
		s.fatigue.mu.Lock()
		defer s.fatigue.mu.Unlock()
		return s.fatigue.done
	}
	first := started()
	s.fatigue.mu.Lock()
	gen := s.fatigue.gen
	s.fatigue.mu.Unlock()
	a := element.Asset{ID: "new.txt", Elements: []element.Element{{Type: element.Hook, Text: "今天给大家带来一款新品保温杯，真的好用。"}}}
	a.Reoffset()
	_, err = lib.Import(ctx, []element.Asset{a})
	require.NoError(t, err)
	now = now.Add(fatigueMinAge / 2)
	s.currentFatigue(ctx)
	assert.Equal(t, first, started(), "a change younger than fatigueMinAge keeps the cached fatigue")
	now = now.Add(fatigueMinAge)
	s.currentFatigue(ctx)
	done := started()
	require.NotEqual(t, first, done, "an older one is recomputed")
	<-done
	s.fatigue.mu.Lock()
	defer s.fatigue.mu.Unlock()
	assert.NotEqual(t, gen, s.fatigue.gen, "then it is recomputed for the new generation")
}
