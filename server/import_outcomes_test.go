package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/insight"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// TestAPIImportStoresOutcomes: an API import computes its assets'
// outcomes in the background with the import's own fingerprints, and
// they equal the outcomes insight.AfterImport computes for the same
// import into the same library (fingerprinting again).
func TestAPIImportStoresOutcomes(t *testing.T) {
	const token = "tok"
	const body = `[
	 {"id":"api/a.txt","meta":{"published":"2026-11-20T09:00:00Z"},"elements":[
	  {"type":"hook","text":"你是不是每天早上都为了挑衣服烦恼半小时？"},
	  {"type":"conversion","text":"点击下方链接，今天下单立减二十元，库存不多。"}]},
	 {"id":"api/b.txt","meta":{"published":"2026-11-21T09:00:00Z"},"elements":[
	  {"type":"hook","text":"这款折叠晾衣架装在阳台上一点都不占地方，收起来只有一本书那么薄。"}]}]`
	ids := []string{"api/a.txt", "api/b.txt"}
	s, ts := newTestServer(t, func(o *Options) { o.Token = token })
	status, _, reply := do(t, "POST", ts.URL+"/v1/import", "application/json", body, "Authorization", "Bearer "+token)
	require.Equal(t, http.StatusOK, status, reply)
	store, ok := s.opts.Library.(kit.OutcomeStore)
	require.True(t, ok, "the file library stores outcomes")
	var got []*kit.Outcome
	require.Eventually(t, func() bool {
		var err error
		got, err = store.Outcomes(ids)
		require.NoError(t, err)
		return got[0] != nil && got[1] != nil
	}, 20*time.Second, 20*time.Millisecond, "the import's outcomes are stored")

	// The same import, by the library and insight.AfterImport.
	var assets []element.Asset
	var raw []json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &raw))
	for _, r := range raw {
		got, err := element.Parse("import.json", r, element.ParseOptions{})
		require.NoError(t, err)
		assets = append(assets, got...)
	}
	ctx := context.Background()
	engine := elibtest.Engine(t)
	ref := fixtureLibrary(t)
	_, err := insight.BeforeImport(ctx, engine, ref, assets, insight.Options{})
	require.NoError(t, err)
	_, err = ref.Import(ctx, assets)
	require.NoError(t, err)
	require.NoError(t, insight.AfterImport(ctx, engine, ref, ids, insight.Options{Workers: 1}))
	want, err := ref.(kit.OutcomeStore).Outcomes(ids)
	require.NoError(t, err)
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	gotJSON, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(wantJSON), string(gotJSON))
}
