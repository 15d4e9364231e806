package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/internal/elibtest"
)

const (
	teetherFixed    = "\n[conflict]\n小家伙六个月开始长牙，口水流个不停，抓到遥控器、手机都往嘴里塞，脏不说还容易磕到牙龈，看得人心惊胆战。\n[testimonial]\n这个香蕉造型的牙胶是食品级硅胶做的，放冰箱冷藏十分钟再给她，凉凉的咬着很舒服，我女儿抱着它能安静玩半个小时。\n[conversion]\n今天点击下方链接，一套三个只要四十九，送防掉链和收纳盒，可以直接进开水消毒，满月礼物也很合适。\n"
	newHookVariant  = "[hook]\n宝宝长牙哭闹不停，当妈的能怎么办？" + teetherFixed
	keptHookVariant = "[hook]\n长牙期的宝宝见什么咬什么？" + teetherFixed
)

// packServer serves the sample library on disk, writable with a token.
func packServer(t *testing.T) *httptest.Server {
	t.Helper()
	lib := sampleDiskLibrary(t)
	s, err := New(Options{Library: lib, Engine: elibtest.Engine(t), Token: "test-token-0123456789abcdef",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

type packCheck struct {
	Results []struct {
		Verdict     string  `json:"verdict"`
		Duplication float64 `json:"duplication"`
		Pack        string  `json:"pack"`
		Reason      string  `json:"reason"`
		Elements    []struct {
			Matches []struct {
				Licensed bool `json:"licensed"`
				Spans    []struct {
					Licensed bool `json:"licensed"`
				} `json:"spans"`
			} `json:"matches"`
		} `json:"elements"`
	} `json:"results"`
}

func TestPacksAPI(t *testing.T) {
	ts := packServer(t)
	auth := []string{"Authorization", "Bearer test-token-0123456789abcdef"}
	status, _, body := do(t, "POST", ts.URL+"/v1/packs", "application/json", `{"from":"baby/teether-05.txt","slots":["hook"],"note":"只换开场"}`, auth...)
	require.Equal(t, http.StatusOK, status, body)
	var created struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(body), &created))
	assert.Equal(t, "pack-1", created.ID)

	status, _, body = do(t, "POST", ts.URL+"/v1/packs", "application/json", `{"from":"nope"}`, auth...)
	assert.Equal(t, http.StatusNotFound, status, body)
	status, _, _ = do(t, "POST", ts.URL+"/v1/packs", "application/json", `{"from":"baby/teether-05.txt"}`)
	assert.Equal(t, http.StatusUnauthorized, status)

	status, _, body = do(t, "GET", ts.URL+"/v1/packs", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"pack-1"`)

	check := func(text string) packCheck {
		b, _ := json.Marshal(map[string]string{"text": text, "format": "md", "pack": "pack-1"})
		status, _, body := do(t, "POST", ts.URL+"/v1/check", "application/json", string(b))
		require.Equal(t, http.StatusOK, status, body)
		var got packCheck
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		require.Len(t, got.Results, 1)
		return got
	}
	got := check(newHookVariant)
	r := got.Results[0]
	assert.Equal(t, "pass", r.Verdict)
	assert.Equal(t, "pack-1", r.Pack)
	for _, e := range r.Elements[1:] {
		require.NotEmpty(t, e.Matches)
		assert.True(t, e.Matches[0].Licensed)
		assert.True(t, e.Matches[0].Spans[0].Licensed)
	}
	got = check(keptHookVariant)
	assert.Equal(t, "reject", got.Results[0].Verdict)
	assert.True(t, strings.HasPrefix(got.Results[0].Reason, "slot not replaced"), got.Results[0].Reason)

	b, _ := json.Marshal(map[string]string{"text": newHookVariant, "pack": "pack-9"})
	status, _, body = do(t, "POST", ts.URL+"/v1/check", "application/json", string(b))
	assert.Equal(t, http.StatusBadRequest, status, body)

	for format, want := range map[string]string{"md": "DO NOT COPY", "html": `data-role="slot"`, "json": `"do_not_copy": true`} {
		status, hdr, body := do(t, "GET", ts.URL+"/v1/packs/pack-1/export?format="+format, "", "")
		require.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, want, format)
		assert.Contains(t, body, "长牙期的宝宝见什么咬什么", format)
		if format == "html" {
			assert.Contains(t, hdr.Get("Content-Type"), "text/html")
		}
	}
	status, _, _ = do(t, "GET", ts.URL+"/v1/packs/pack-1/export?format=pdf", "", "")
	assert.Equal(t, http.StatusBadRequest, status)

	status, _, _ = do(t, "DELETE", ts.URL+"/v1/packs/pack-1", "", "", auth...)
	assert.Equal(t, http.StatusOK, status)
	status, _, _ = do(t, "GET", ts.URL+"/v1/packs/pack-1", "", "")
	assert.Equal(t, http.StatusNotFound, status)
}
