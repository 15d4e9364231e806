package report

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
)

// The platform level shows in every format.
func TestLevelInEveryFormat(t *testing.T) {
	r := sampleReport()
	r.Results[0].Level = check.L5
	r.Results[1].Level = check.L2
	for _, tc := range []struct{ format, want string }{
		{"text", "level L5 (≥ 80 %, throttled)"},
		{"text", "level L2 (10–30 %)"},
		{"junit", "platform level L5 (≥ 80 %)"},
		{"junit", "platform level L2 (10–30 %)"},
		{"sarif", "platform level L5"},
		{"github", "platform level L5"},
		{"github", "platform level L2"},
	} {
		assert.Contains(t, render(t, tc.format, r), tc.want, tc.format)
	}
	var got struct {
		Results []map[string]any `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(render(t, "json", r)), &got))
	assert.Equal(t, "L5", got.Results[0]["level"])
	assert.Equal(t, "L2", got.Results[1]["level"])
}

// Warnings show in every format and never turn a pass into a failure.
func TestWarningsInEveryFormat(t *testing.T) {
	r := sampleReport()
	r.Results[1].Warnings = []check.Warning{{Kind: check.WarnFatigued, Element: 0, ElementID: "lib/x.md#1",
		Message: "conversion element reuses lib/x.md#1, a fatigued element: 3 assets reused it within 14 days (a, b, c)"}}
	for _, format := range []string{"text", "junit", "sarif", "github", "json"} {
		assert.Contains(t, render(t, format, r), "a fatigued element", format)
	}
	assert.Contains(t, render(t, "github", r), "::warning file=drafts/b%2Cc.md")
	assert.Contains(t, render(t, "sarif", r), `"level": "warning"`)
	assert.Equal(t, 1, r.Rejected())
}

// The HTML report is one self-contained page with the figures the JSON has.
func TestHTMLReport(t *testing.T) {
	r := sampleReport()
	r.Results[0].Level = check.L5
	r.Results[0].Countable = 10
	out := render(t, "html", r)
	assert.Contains(t, out, "<!doctype html>")
	assert.Contains(t, out, `data-verdict="reject"`)
	assert.Contains(t, out, `data-duplication="0.8000"`)
	assert.Contains(t, out, `data-level="L5"`)
	assert.Contains(t, out, "总复制比")
	assert.Contains(t, out, "单篇最大复制比")
	assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;", "text is escaped")
	assert.NotContains(t, out, "<script")
	assert.NotContains(t, out, "http://", "nothing fetched")
	assert.Contains(t, out, "<mark>")
}

// A variant rejected for an unreplaced slot says so in every CI format.
func TestReasonInCIFormats(t *testing.T) {
	r := sampleReport()
	r.Results[0].Duplication = 0.3
	r.Results[0].Reason = "slot not replaced: hook (element 1) is 100.0 % library material (threshold 62.0 %)"
	for _, format := range []string{"text", "junit", "sarif", "github", "json", "html"} {
		assert.Contains(t, render(t, format, r), "slot not replaced", format)
	}
	assert.Contains(t, render(t, "sarif", r), "script 30.0% <= 62.0%")
}
