package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/api"
	"elib/check"
	"elib/check/report"
	"elib/fulltext"
)

func checkBody(t *testing.T, text, id string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"text": text, "format": "txt", "id": id})
	require.NoError(t, err)
	return string(b)
}

// cliJSON is what `elib check --format json` prints for text checked as
// file/id against the same library.
func cliJSON(t *testing.T, s *Server, file, id, text string) string {
	t.Helper()
	c, err := check.New(s.opts.Engine, check.Options{Threshold: 0.62}, s.opts.Library)
	require.NoError(t, err)
	a := parseScript(t, id, text)
	res, err := c.Check(context.Background(), file, &a)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, "json", &report.Report{Threshold: 0.62, Results: []*check.Result{res}}))
	return buf.String()
}

type checkJSON struct {
	Threshold float64 `json:"threshold"`
	Results   []struct {
		File        string  `json:"file"`
		AssetID     string  `json:"asset_id"`
		Duplication float64 `json:"duplication"`
		Verdict     string  `json:"verdict"`
		Elements    []struct {
			Type    string `json:"type"`
			Matches []struct {
				ElementID string `json:"element_id"`
				AssetID   string `json:"asset_id"`
				Spans     []struct {
					Start, End, LibraryStart, LibraryEnd int
				} `json:"spans"`
			} `json:"matches"`
		} `json:"elements"`
	} `json:"results"`
}

func TestCheckMatchesCLI(t *testing.T) {
	s, ts := newTestServer(t, nil)
	tests := []struct {
		name    string
		text    string
		verdict string
		source  string
	}{
		{"rejected copy", rejectScript, "reject", "lib/wardrobe.txt"},
		{"original passes", passScript, "pass", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, tc.text, "draft.txt"))
			require.Equal(t, http.StatusOK, status, body)
			assert.Contains(t, hdr.Get("Content-Type"), "application/json")
			assert.JSONEq(t, cliJSON(t, s, "input.txt", "draft.txt", tc.text), body)

			var got checkJSON
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			require.Len(t, got.Results, 1)
			r := got.Results[0]
			assert.Equal(t, tc.verdict, r.Verdict)
			assert.Equal(t, "draft.txt", r.AssetID)
			if tc.source == "" {
				assert.Less(t, r.Duplication, 0.3)
				return
			}
			assert.Greater(t, r.Duplication, 0.62)
			found := false
			for _, e := range r.Elements {
				for _, m := range e.Matches {
					found = found || m.AssetID == tc.source
					assert.NotEmpty(t, m.Spans)
				}
			}
			assert.True(t, found, "a match against %s", tc.source)
		})
	}
}

func TestCheckInputs(t *testing.T) {
	_, ts := newTestServer(t, nil)

	// Multipart upload gives the same verdict, named after the file.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "drafts/copy.txt")
	require.NoError(t, err)
	_, _ = io.WriteString(fw, rejectScript)
	require.NoError(t, mw.Close())
	status, _, body := do(t, "POST", ts.URL+"/v1/check", mw.FormDataContentType(), buf.String())
	require.Equal(t, http.StatusOK, status, body)
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Len(t, got.Results, 1)
	assert.Equal(t, "reject", got.Results[0].Verdict)
	assert.Equal(t, "drafts/copy.txt", got.Results[0].File)

	tests := []struct {
		name, ct, body string
		status         int
		errPart        string
	}{
		{"threshold raises the bar", "application/json", `{"text":` + mustJSON(rejectScript) + `,"threshold":0.99}`, 200, ""},
		{"bad threshold", "application/json", `{"text":"【钩子】你好呀朋友们","threshold":1.5}`, 400, "threshold"},
		{"footage threshold", "application/json", `{"text":` + mustJSON(rejectScript) + `,"footage_threshold":0.3}`, 200, ""},
		{"bad footage threshold", "application/json", `{"text":"【钩子】你好呀朋友们","footage_threshold":-1}`, 400, "threshold"},
		{"empty text", "application/json", `{"text":"  "}`, 400, "empty"},
		{"invalid json", "application/json", `{"text":`, 400, "invalid JSON"},
		{"unknown field", "application/json", `{"txt":"x"}`, 400, "invalid JSON"},
		{"bad format", "application/json", `{"text":"abc","format":"docx"}`, 400, "unsupported format"},
		{"malformed srt names line", "application/json", `{"text":"1\nnot a timecode\nhello","format":"srt"}`, 400, "input.srt"},
		{"unsupported content type", "application/xml", `<x/>`, 400, "Content-Type"},
		{"plain text", "text/plain", rejectScript, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := do(t, "POST", ts.URL+"/v1/check", tc.ct, tc.body)
			require.Equal(t, tc.status, status, body)
			if tc.errPart != "" {
				var e errorBody
				require.NoError(t, json.Unmarshal([]byte(body), &e))
				assert.Contains(t, e.Error, tc.errPart)
			}
		})
	}
	// The raised threshold turns the reject into a pass.
	_, _, body = do(t, "POST", ts.URL+"/v1/check", "application/json", `{"text":`+mustJSON(rejectScript)+`,"threshold":0.99}`)
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	assert.Equal(t, 0.99, got.Threshold)
	assert.Equal(t, "pass", got.Results[0].Verdict)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestSplit(t *testing.T) {
	_, ts := newTestServer(t, nil)
	status, _, body := do(t, "POST", ts.URL+"/v1/split", "application/json", checkBody(t, rejectScript, ""))
	require.Equal(t, http.StatusOK, status, body)
	var got struct {
		Files []struct {
			File   string `json:"file"`
			Assets []struct {
				ID       string `json:"id"`
				Elements []struct {
					Type       string `json:"type"`
					Start, End int
					Text       string `json:"text"`
				} `json:"elements"`
			} `json:"assets"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Len(t, got.Files, 1)
	require.Len(t, got.Files[0].Assets, 1)
	a := got.Files[0].Assets[0]
	assert.Equal(t, "-", a.ID)
	var types []string
	for _, e := range a.Elements {
		types = append(types, e.Type)
	}
	assert.Equal(t, []string{"hook", "conflict", "testimonial", "conversion"}, types)
	assert.Equal(t, "你是不是每天早上都为了挑衣服烦恼半小时？", a.Elements[0].Text)
	assert.Equal(t, 0, a.Elements[0].Start)
}

func TestSearchAndElement(t *testing.T) {
	_, ts := newTestServer(t, nil)
	status, _, body := do(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape("锅铲")+"&limit=5", "", "")
	require.Equal(t, http.StatusOK, status, body)
	var res fulltext.Response
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	require.NotEmpty(t, res.Hits)
	assert.Equal(t, "lib/spatula.txt", res.Hits[0].AssetID)
	assert.Contains(t, strings.Join(res.Hits[0].Fragments, " "), "<mark>")
	assert.NotEmpty(t, res.Facets["type"])

	status, _, body = do(t, "GET", ts.URL+"/v1/search?q=x&type=nonsense", "", "")
	assert.Equal(t, http.StatusBadRequest, status, body)
	status, _, body = do(t, "GET", ts.URL+"/v1/search?q=x&limit=-1", "", "")
	assert.Equal(t, http.StatusBadRequest, status, body)
	status, _, body = do(t, "GET", ts.URL+"/v1/search?q=&type="+url.QueryEscape("故事"), "", "")
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	require.NotEmpty(t, res.Hits)
	for _, h := range res.Hits {
		assert.Equal(t, "story", h.Type)
	}

	id := res.Hits[0].ID
	status, _, body = do(t, "GET", ts.URL+"/v1/elements/"+url.PathEscape(id), "", "")
	require.Equal(t, http.StatusOK, status, body)
	var el elementResponse
	require.NoError(t, json.Unmarshal([]byte(body), &el))
	assert.Equal(t, id, el.ID)
	assert.Equal(t, "lib/handwarmer.txt", el.AssetID)
	assert.Equal(t, "暖手宝", el.Title)
	assert.Contains(t, el.Text, "去年冬天")
	require.NotNil(t, el.Asset)
	assert.Len(t, el.Asset.Elements, 2)

	for _, missing := range []string{"nope", "lib/handwarmer.txt#99", "lib%2Fnothing.txt%231"} {
		status, _, body = do(t, "GET", ts.URL+"/v1/elements/"+missing, "", "")
		assert.Equal(t, http.StatusNotFound, status, body)
		assert.Contains(t, body, `"error"`)
	}
}

func TestWriteAuth(t *testing.T) {
	const token = "s3cret-token"
	asset := `{"id":"api/new.txt","title":"新素材","elements":[{"type":"hook","text":"这款折叠晾衣架装在阳台上一点都不占地方，收起来只有一本书那么薄。"}]}`
	tests := []struct {
		name   string
		token  string
		ro     bool
		auth   string
		status int
	}{
		{"writes disabled without ELIB_TOKEN", "", false, "Bearer " + token, http.StatusForbidden},
		{"read-only library", token, true, "Bearer " + token, http.StatusForbidden},
		{"missing token", token, false, "", http.StatusUnauthorized},
		{"wrong token", token, false, "Bearer wrong", http.StatusUnauthorized},
		{"not bearer", token, false, "Basic " + token, http.StatusUnauthorized},
		{"right token", token, false, "Bearer " + token, http.StatusOK},
		{"scheme case-insensitive", token, false, "bearer " + token, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := newTestServer(t, func(o *Options) { o.Token, o.ReadOnly = tc.token, tc.ro })
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			status, _, body := do(t, "POST", ts.URL+"/v1/import", "application/json", asset, hdr...)
			require.Equal(t, tc.status, status, body)
			delStatus, _, dbody := do(t, "DELETE", ts.URL+"/v1/elements/lib%2Fspatula.txt", "", "", hdr...)
			if tc.status != http.StatusOK {
				var e errorBody
				require.NoError(t, json.Unmarshal([]byte(body), &e))
				assert.NotEmpty(t, e.Error)
				assert.Equal(t, tc.status, delStatus, dbody)
				return
			}
			// The import is visible to element lookups and checks at once.
			st, _, b := do(t, "GET", ts.URL+"/v1/elements/"+url.PathEscape("api/new.txt#1"), "", "")
			_ = st
			require.Equal(t, http.StatusOK, st, b)
			st, _, b = do(t, "POST", ts.URL+"/v1/check", "application/json",
				checkBody(t, "【钩子】这款折叠晾衣架装在阳台上一点都不占地方，收起来只有一本书那么薄。", "other.txt"))
			require.Equal(t, http.StatusOK, st, b)
			assert.Contains(t, b, `"asset_id": "api/new.txt"`)
			// Delete removes the asset; a second delete is 404.
			assert.Equal(t, http.StatusOK, delStatus, dbody)
			st, _, b = do(t, "GET", ts.URL+"/v1/elements/"+url.PathEscape("lib/spatula.txt#1"), "", "")
			assert.Equal(t, http.StatusNotFound, st, b)
			st, _, b = do(t, "DELETE", ts.URL+"/v1/elements/lib%2Fspatula.txt", "", "", hdr...)
			assert.Equal(t, http.StatusNotFound, st, b)
		})
	}
}

func TestImportBadInput(t *testing.T) {
	const token = "tok"
	_, ts := newTestServer(t, func(o *Options) { o.Token = token })
	auth := []string{"Authorization", "Bearer " + token}
	tests := []struct {
		name, ct, body string
		status         int
	}{
		{"no id", "application/json", `{"title":"x","text":"【钩子】没有编号的素材也不能进库"}`, 400},
		{"malformed json", "application/json", `{"id":`, 400},
		{"wrong content type", "application/pdf", `%PDF`, 400},
		{"jsonl", "application/x-ndjson", `{"id":"j/1","text":"第一条素材的文案内容在这里"}` + "\n" + `{"id":"j/2","text":"第二条素材的文案内容在那里"}`, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := do(t, "POST", ts.URL+"/v1/import", tc.ct, tc.body, auth...)
			assert.Equal(t, tc.status, status, body)
		})
	}
	// Multipart files become assets named after the file.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i, s := range []string{passScript, fixtureScripts["lib/spatula.txt"]} {
		fw, err := mw.CreateFormFile("file", fmt.Sprintf("up/%d.txt", i))
		require.NoError(t, err)
		_, _ = io.WriteString(fw, s)
	}
	require.NoError(t, mw.Close())
	status, _, body := do(t, "POST", ts.URL+"/v1/import", mw.FormDataContentType(), buf.String(), auth...)
	require.Equal(t, http.StatusOK, status, body)
	var got api.Import
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	assert.Equal(t, 2, got.Imported)
	assert.Equal(t, []string{"up/0.txt", "up/1.txt"}, got.IDs)
}

func TestBodyLimit(t *testing.T) {
	_, ts := newTestServer(t, func(o *Options) { o.MaxBodyBytes = 1024 })
	big := checkBody(t, strings.Repeat("你是不是还在熬夜", 200), "")
	status, _, body := do(t, "POST", ts.URL+"/v1/check", "application/json", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, body)
	assert.Contains(t, body, `"error"`)

	// Without a Content-Length the limit applies while reading.
	req, err := http.NewRequest("POST", ts.URL+"/v1/split", io.MultiReader(strings.NewReader(big)))
	require.NoError(t, err)
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	status, _, body = do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, ""))
	assert.Equal(t, http.StatusOK, status, body)
}

func TestMetricsAndHealth(t *testing.T) {
	_, ts := newTestServer(t, nil)
	do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, rejectScript, ""))
	do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, ""))
	do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, passScript, ""))
	do(t, "GET", ts.URL+"/v1/elements/nope", "", "")

	status, _, body := do(t, "GET", ts.URL+"/healthz", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"status": "ok"`)

	status, hdr, body := do(t, "GET", ts.URL+"/metrics", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, hdr.Get("Content-Type"), "text/plain")
	for _, want := range []string{
		"# TYPE elib_checks_total counter",
		`elib_checks_total{verdict="reject"} 1`,
		`elib_checks_total{verdict="pass"} 2`,
		"# TYPE elib_check_duration_seconds histogram",
		`elib_check_duration_seconds_bucket{le="+Inf"} 3`,
		"elib_check_duration_seconds_count 3",
		`elib_http_requests_total{route="POST /v1/check",code="200"} 3`,
		`elib_http_requests_total{route="GET /v1/elements/{id...}",code="404"} 1`,
		"elib_library_assets 4",
	} {
		assert.Contains(t, body, want)
	}
	// Every sample line is "name{labels} value" or "name value".
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		assert.Regexp(t, `^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$`, line)
	}
}

func TestWebPageServed(t *testing.T) {
	_, ts := newTestServer(t, nil)
	for _, p := range []string{"/", "/app.js", "/style.css"} {
		status, hdr, body := do(t, "GET", ts.URL+p, "", "")
		require.Equal(t, http.StatusOK, status, p)
		assert.NotEmpty(t, body)
		assert.Contains(t, hdr.Get("Content-Security-Policy"), "script-src 'self'")
		assert.Equal(t, "nosniff", hdr.Get("X-Content-Type-Options"))
	}
	_, _, page := do(t, "GET", ts.URL+"/", "", "")
	assert.NotContains(t, page, "http://", "nothing loaded from elsewhere")
	assert.NotContains(t, page, "https://")
	_, _, js := do(t, "GET", ts.URL+"/app.js", "", "")
	assert.NotRegexp(t, `innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(`, js, "the page builds DOM with textContent only")
	status, _, _ := do(t, "GET", ts.URL+"/v1/nothing", "", "")
	assert.Equal(t, http.StatusNotFound, status)
}

// TestXSSStaysTextInAPI: markup in a script comes back as JSON strings
// (never as HTML) and decodes to exactly what was sent.
func TestXSSStaysTextInAPI(t *testing.T) {
	_, ts := newTestServer(t, nil)
	status, hdr, body := do(t, "POST", ts.URL+"/v1/split", "application/json", checkBody(t, xssScript, ""))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, hdr.Get("Content-Type"), "application/json")
	assert.Equal(t, "nosniff", hdr.Get("X-Content-Type-Options"))
	assert.NotContains(t, body, "<script>", "HTML escaped inside JSON strings")
	assert.NotContains(t, body, "<img")
	var got api.Split
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Len(t, got.Files, 1)
	els := got.Files[0].Assets[0].Elements
	require.Len(t, els, 2)
	assert.Equal(t, "<script>alert(1)</script>你还在为选面霜发愁吗？", els[0].Text)
	assert.Equal(t, "<img src=x onerror=alert(1)>试了十几款都没用，脸还是又干又痒。", els[1].Text)

	status, hdr, body = do(t, "POST", ts.URL+"/v1/check", "application/json", checkBody(t, xssScript, ""))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, hdr.Get("Content-Type"), "application/json")

	// Search fragments are HTML-escaped with only <mark> as markup.
	status, _, body = do(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape("防晒喷雾"), "", "")
	require.Equal(t, http.StatusOK, status, body)
	var res fulltext.Response
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	require.NotEmpty(t, res.Hits)
	for _, f := range res.Hits[0].Fragments {
		rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(f)
		assert.NotContains(t, rest, "<", "fragment %q", f)
	}
	// The element JSON decodes to the literal markup.
	status, _, body = do(t, "GET", ts.URL+"/v1/elements/"+url.PathEscape("lib/xss.txt#1"), "", "")
	require.Equal(t, http.StatusOK, status, body)
	var el elementResponse
	require.NoError(t, json.Unmarshal([]byte(body), &el))
	assert.Contains(t, el.Text, "<img src=x onerror=alert(2)>")
}

func FuzzDecodeCheckJSON(f *testing.F) {
	f.Add([]byte(`{"text":"【钩子】你好","format":"txt"}`))
	f.Add([]byte(`{"text":"1\n00:00:00,000 --> 00:00:03,000\n你好\n","format":"srt","threshold":0.5}`))
	f.Add([]byte(`{"text":"{\"id\":\"a\",\"text\":\"x\"}","format":"json"}`))
	f.Add([]byte(`{"text":"a,b\n1,2","format":"csv"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeCheckJSON(body)
		if err != nil {
			return
		}
		require.Len(t, req.Inputs, 1)
		in := req.Inputs[0]
		if in.Err == nil {
			for _, a := range in.Assets {
				assert.NoError(t, a.Validate())
			}
		}
	})
}

func FuzzUploadName(f *testing.F) {
	for _, s := range []string{"a.txt", "../../etc/passwd", `C:\x\y.srt`, "/abs/p.md", "", ".", "a/../../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := uploadName(name, 0)
		assert.NotEmpty(t, got)
		assert.False(t, strings.HasPrefix(got, "/"), got)
		for _, seg := range strings.Split(got, "/") {
			assert.NotEqual(t, "..", seg, got)
		}
	})
}

// TestSampleLibrary: the in-memory (sample) library searches through bleve
// like one on disk — highlighted fragments and type facets — and writes
// are refused.
func TestSampleLibrary(t *testing.T) {
	_, ts := newTestServer(t, func(o *Options) {
		o.Library, o.Sample, o.ReadOnly, o.Token = memoryLibrary(t), true, true, "tok"
	})
	status, _, body := do(t, "GET", ts.URL+"/v1/search?q="+url.QueryEscape("防晒喷雾"), "", "")
	require.Equal(t, http.StatusOK, status, body)
	var res fulltext.Response
	require.NoError(t, json.Unmarshal([]byte(body), &res))
	require.Len(t, res.Hits, 1)
	require.Len(t, res.Hits[0].Fragments, 1)
	assert.Equal(t, "<mark>防晒</mark><mark>喷雾</mark>&lt;img src=x onerror=alert(2)&gt;千万别乱喷，先看完这条再出门。", res.Hits[0].Fragments[0]) // bleve's highlighter, as on disk
	assert.Equal(t, []fulltext.FacetCount{{Term: "hook", Count: 1}}, res.Facets["type"])

	status, _, body = do(t, "POST", ts.URL+"/v1/import", "application/json", `{"id":"x","text":"随便一段文案内容"}`, "Authorization", "Bearer tok")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "sample library is read-only")

	status, _, body = do(t, "GET", ts.URL+"/v1/info", "", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"sample": true`)
	assert.Contains(t, body, `"writable": false`)
}

func TestCheckAcceptsCurlDefaultContentType(t *testing.T) {
	_, ts := newTestServer(t, nil)
	for _, body := range []string{
		`{"text":"【钩子】这是一段测试文案，看看能不能检查。","format":"txt"}`,
		"【钩子】这是一段测试文案，看看能不能检查。",
	} {
		status, _, out := do(t, http.MethodPost, ts.URL+"/v1/check", "application/x-www-form-urlencoded", body)
		assert.Equal(t, http.StatusOK, status, out)
		assert.Contains(t, out, `"verdict"`)
	}
}
