package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckSelfMatches: POST /v1/check applies SPEC §3's self-match rule
// like the CLI — an identical text under a library id is already in the
// library, an edited one is checked against its own published version,
// and exclude_self ignores the id.
func TestCheckSelfMatches(t *testing.T) {
	_, ts := newTestServer(t, nil)
	const id = "lib/wardrobe.txt"
	orig := fixtureScripts[id]
	edited := strings.Replace(orig, "整整三个月", "整整四个月", 1)
	tests := []struct {
		name        string
		text        string
		excludeSelf bool
		verdict     string
		already     bool
		own         bool
	}{
		{"identical", orig, false, "pass", true, false},
		{"edited", edited, false, "reject", false, true},
		{"edited, exclude_self", edited, true, "pass", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"text": tt.text, "id": id, "exclude_self": tt.excludeSelf})
			require.NoError(t, err)
			code, _, out := do(t, http.MethodPost, ts.URL+"/v1/check", "application/json", string(body))
			require.Equal(t, http.StatusOK, code, out)
			var rep struct {
				Results []struct {
					Verdict    string `json:"verdict"`
					Already    bool   `json:"already_in_library"`
					OwnVersion *struct {
						AssetID string `json:"asset_id"`
					} `json:"own_version"`
				} `json:"results"`
			}
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			require.Len(t, rep.Results, 1)
			r := rep.Results[0]
			assert.Equal(t, tt.verdict, r.Verdict)
			assert.Equal(t, tt.already, r.Already)
			assert.Equal(t, tt.own, r.OwnVersion != nil)
		})
	}
}
