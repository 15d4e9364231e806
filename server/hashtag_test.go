package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckHashtagAndTitleOnlyText: what the page posts (pasted text, any
// text format) is checked whole when it starts with hashtags (#话题, not a
// "# " title), and a title-only text is checked on its title (SPEC §2).
func TestCheckHashtagAndTitleOnlyText(t *testing.T) {
	_, ts := newTestServer(t, nil)
	// The copied conflict line of rejectScript, without labels.
	copied := "衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好。"
	tests := []struct {
		name, text, format string
		verdict            string
	}{
		{"hashtag first line", "#穿搭分享 #通勤\n" + copied, "txt", "reject"},
		{"hashtag first line, markdown", "#穿搭分享 " + copied, "md", "reject"},
		{"title only", "# " + copied, "txt", "reject"},
		{"hashtags only", "#穿搭分享 #通勤 #好物推荐", "txt", "pass"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"text": tc.text, "format": tc.format, "id": "draft." + tc.format})
			require.NoError(t, err)
			status, _, reply := do(t, "POST", ts.URL+"/v1/check", "application/json", string(body))
			require.Equal(t, http.StatusOK, status, reply)
			var got checkJSON
			require.NoError(t, json.Unmarshal([]byte(reply), &got))
			require.Len(t, got.Results, 1, reply)
			assert.Equal(t, tc.verdict, got.Results[0].Verdict, reply)
			assert.False(t, strings.Contains(reply, "no copy text"))
		})
	}
}
