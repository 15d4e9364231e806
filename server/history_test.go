package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"elib/check/report"
)

// namedCheck is a check request for text uploaded as file name.
func namedCheck(t *testing.T, text, name string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"text": text, "format": "txt", "id": name, "file": name})
	require.NoError(t, err)
	return string(b)
}

type historyJSON struct {
	Total   int `json:"total"`
	Entries []struct {
		Time           time.Time `json:"time"`
		Who            string    `json:"who"`
		Via            string    `json:"via"`
		File           string    `json:"file"`
		Verdict        string    `json:"verdict"`
		Duplication    float64   `json:"duplication"`
		Level          string    `json:"level"`
		TopSource      string    `json:"top_source"`
		TopSourceTitle string    `json:"top_source_title"`
	} `json:"entries"`
}

// TestChecksAreRecorded (issue 24): every check the server makes is in
// the library's history with who made it — the token's name, else the
// X-Elib-User header — and GET /v1/history lists them by verdict.
func TestChecksAreRecorded(t *testing.T) {
	token := strings.Repeat("k", 20)
	_, ts := newTestServer(t, func(o *Options) { o.Token, o.TokenName = token, "ci-bot" })

	status, _, body := do(t, "POST", ts.URL+"/v1/check", "application/json", namedCheck(t, rejectScript, "draft.txt"), UserHeader, "小王")
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = do(t, "POST", ts.URL+"/v1/check", "application/json", namedCheck(t, passScript, "mine.txt"), "Authorization", "Bearer "+token)
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = do(t, "POST", ts.URL+"/v1/report", "application/json", namedCheck(t, rejectScript, "again.txt"))
	require.Equal(t, http.StatusOK, status, body)

	status, _, body = do(t, "GET", ts.URL+"/v1/history", "", "")
	require.Equal(t, http.StatusOK, status, body)
	var h historyJSON
	require.NoError(t, json.Unmarshal([]byte(body), &h), body)
	require.Equal(t, 3, h.Total, body)
	first := h.Entries[0]
	assert.Equal(t, "小王", first.Who)
	assert.Equal(t, "serve", first.Via)
	assert.Equal(t, "draft.txt", first.File)
	assert.Equal(t, "reject", first.Verdict)
	assert.NotEmpty(t, first.Level)
	assert.Equal(t, "lib/wardrobe.txt", first.TopSource)
	assert.WithinDuration(t, time.Now(), first.Time, time.Minute)
	assert.Equal(t, "ci-bot", h.Entries[1].Who)
	assert.Equal(t, "pass", h.Entries[1].Verdict)
	assert.Equal(t, "127.0.0.1", h.Entries[2].Who, "no token, no name: the client's address")

	status, _, body = do(t, "GET", ts.URL+"/v1/history?verdict=reject&since=1d", "", "")
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, json.Unmarshal([]byte(body), &h), body)
	assert.Equal(t, 2, h.Total)
	status, _, body = do(t, "GET", ts.URL+"/v1/history?limit=1", "", "")
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, json.Unmarshal([]byte(body), &h), body)
	require.Equal(t, 1, h.Total)
	assert.Equal(t, "again.txt", h.Entries[0].File, "the newest")
	status, _, _ = do(t, "GET", ts.URL+"/v1/history?verdict=maybe", "", "")
	assert.Equal(t, http.StatusBadRequest, status)

	// The page percent-encodes the name (browsers send Latin-1 headers
	// only) and names it in the URL of its report form.
	status, _, body = do(t, "POST", ts.URL+"/v1/check", "application/json", namedCheck(t, passScript, "p.txt"), UserHeader, "%E8%80%81%E6%9D%8E")
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = do(t, "POST", ts.URL+"/v1/report?user="+url.QueryEscape("小张"), "application/json", namedCheck(t, passScript, "q.txt"))
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = do(t, "GET", ts.URL+"/v1/history?limit=2", "", "")
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, json.Unmarshal([]byte(body), &h), body)
	require.Len(t, h.Entries, 2)
	assert.Equal(t, "老李", h.Entries[0].Who)
	assert.Equal(t, "小张", h.Entries[1].Who)
}

// TestExportWorkbook: POST /v1/export answers the check as the Excel
// workbook of check --format xlsx, sources named by title.
func TestExportWorkbook(t *testing.T) {
	_, ts := newTestServer(t, nil)
	status, hdr, body := do(t, "POST", ts.URL+"/v1/export", "application/json", namedCheck(t, rejectScript, "draft.txt"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, hdr.Get("Content-Disposition"), ".xlsx")
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows(report.SheetResults)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "draft.txt", rows[1][0])
	assert.Equal(t, "回炉 reject", rows[1][3])
	assert.Contains(t, rows[1][8], "lib/wardrobe.txt")
	assert.Equal(t, "test library", rows[1][18])
}
