package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/internal/i18n"
)

// TestErrorRepliesSpeakTheRequestsLanguage: every error reply carries a
// stable code, and its message is in the request's language —
// Accept-Language, else ?lang= for a form, else the server's own
// (Options.Lang) — with file names and line numbers kept; the English
// text stays what it was.
func TestErrorRepliesSpeakTheRequestsLanguage(t *testing.T) {
	_, ts := newTestServer(t, nil)
	_, zhServer := newTestServer(t, func(o *Options) { o.Lang = i18n.Chinese })
	badSRT := `{"text":"1\n00:00:01,000 --> 00:00:00,500\n钩子\n","format":"srt","id":"bad.srt"}`
	for _, tc := range []struct {
		name               string
		base               string
		method, path, body string
		hdr                []string
		status             int
		code               string
		want, notWant      string
	}{
		{"parse error, Chinese", ts.URL, "POST", "/v1/check", badSRT, []string{"Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5"},
			http.StatusBadRequest, codeInvalidInput, "input.srt:2: 时间码的结束早于开始", "timecode"},
		{"parse error, English", ts.URL, "POST", "/v1/check", badSRT, []string{"Accept-Language", "en-US"},
			http.StatusBadRequest, codeInvalidInput, "input.srt:2: timecode ends before it starts", "时间码"},
		{"the server's language without Accept-Language", zhServer.URL, "POST", "/v1/check", badSRT, nil,
			http.StatusBadRequest, codeInvalidInput, "时间码的结束早于开始", "timecode"},
		{"a language elib does not speak falls back to the server's", zhServer.URL, "POST", "/v1/check", badSRT, []string{"Accept-Language", "fr-FR"},
			http.StatusBadRequest, codeInvalidInput, "时间码的结束早于开始", "timecode"},
		{"?lang= for a form", ts.URL, "POST", "/v1/check?lang=zh", badSRT, nil,
			http.StatusBadRequest, codeInvalidInput, "时间码的结束早于开始", "timecode"},
		{"bad JSON", ts.URL, "POST", "/v1/check", `{"text":`, []string{"Accept-Language", "zh"},
			http.StatusBadRequest, codeBadRequest, "请求体不是有效的 JSON", "invalid JSON"},
		{"unknown element", ts.URL, "GET", "/v1/elements/nope", "", []string{"Accept-Language", "zh"},
			http.StatusNotFound, codeNotFound, `元件库里没有元件 "nope"`, "no element"},
		{"unknown endpoint", ts.URL, "GET", "/v1/nope", "", []string{"Accept-Language", "zh"},
			http.StatusNotFound, codeNotFound, "没有这个 API 接口：GET /v1/nope", "endpoint"},
		{"bad search filter", ts.URL, "GET", "/v1/search?q=x&where=nokey", "", []string{"Accept-Language", "zh"},
			http.StatusBadRequest, codeBadRequest, `where：筛选条件 "nokey"：应为 键=值`, "want KEY"},
		{"writes disabled", ts.URL, "POST", "/v1/import", `{}`, []string{"Accept-Language", "zh", "Content-Type", "application/json"},
			http.StatusForbidden, codeWritesDisabled, "不接受写入", "writes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := ""
			if strings.HasPrefix(tc.body, "{") {
				ct = "application/json"
			}
			status, _, body := do(t, tc.method, tc.base+tc.path, ct, tc.body, tc.hdr...)
			require.Equal(t, tc.status, status, body)
			var e errorBody
			require.NoError(t, json.Unmarshal([]byte(body), &e), body)
			assert.Equal(t, tc.code, e.Code, body)
			assert.Contains(t, e.Error, tc.want)
			assert.NotContains(t, e.Error, tc.notWant)
		})
	}
}
