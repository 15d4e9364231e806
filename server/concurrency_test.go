package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
)

// send is a goroutine-safe request: it returns an error instead of failing
// the test from a goroutine that is not the test's.
func send(method, u, contentType, body, token string) (int, string, error) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// TestChecksWhileTheLibraryChanges runs checks from several clients while
// imports replace and add assets and a delete removes one through the API:
// every check answers 200 with the verdict its script deserves (candidates
// replaced mid-check are skipped, not errors), and every write lands.
func TestChecksWhileTheLibraryChanges(t *testing.T) {
	const token = "tok"
	_, ts := newTestServer(t, func(o *Options) { o.Token = token })
	checkBody := func(text string) string {
		b, _ := json.Marshal(map[string]string{"text": text, "format": "txt"})
		return string(b)
	}
	scripts := []struct{ body, verdict string }{
		{checkBody(rejectScript), `"verdict": "reject"`},
		{checkBody(passScript), `"verdict": "pass"`},
	}

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	stop := make(chan struct{})
	for c := 0; c < 6; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				sc := scripts[(c+i)%len(scripts)]
				status, body, err := send("POST", ts.URL+"/v1/check", "application/json", sc.body, "")
				if err == nil && (status != http.StatusOK || !strings.Contains(body, sc.verdict)) {
					err = fmt.Errorf("check: HTTP %d, want %s: %.300s", status, sc.verdict, body)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(c)
	}

	// The writer: replace an asset whose elements are candidates of the
	// checks, add new ones, then delete one.
	spatula := parseScript(t, "lib/spatula.txt", fixtureScripts["lib/spatula.txt"])
	var last element.Asset
	for n := 0; n < 4; n++ {
		spatula.Elements[0].Text = fmt.Sprintf("第%d版：千万别再用钢丝球刷不粘锅了！", n)
		last = parseScript(t, fmt.Sprintf("api/%d.txt", n), fmt.Sprintf("【钩子】第%d号新素材：冬天手脚冰凉的姐妹一定要看完这条。\n【转化】点击左下角小黄车，第%d批现货今晚发出。", n, n))
		body, err := json.Marshal([]element.Asset{spatula, last})
		require.NoError(t, err)
		status, resp, err := send("POST", ts.URL+"/v1/import", "application/json", string(body), token)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status, resp)
	}
	status, resp, err := send("DELETE", ts.URL+"/v1/elements/"+url.PathEscape("lib/handwarmer.txt"), "", "", token)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, resp)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}

	// Every write landed, and the page's library line counts them: 4
	// fixture assets + 4 new - 1 deleted.
	status, body, err := send("GET", ts.URL+"/v1/info", "", "", "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"assets": 7`)
	status, _, err = send("GET", ts.URL+"/v1/elements/"+url.PathEscape(last.ID+"#1"), "", "", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status, "the last import is served")
	status, _, err = send("GET", ts.URL+"/v1/elements/"+url.PathEscape("lib/handwarmer.txt#1"), "", "", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, status, "the deleted asset is gone")
	status, body, err = send("POST", ts.URL+"/v1/check", "application/json", checkBody(fixtureScripts["lib/spatula.txt"]), "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"asset_id": "lib/spatula.txt"`, "the replaced asset is still found")
}
