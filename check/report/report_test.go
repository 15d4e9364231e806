package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
)

func sampleReport() *Report {
	rejected := &check.Result{File: "drafts/a.md", AssetID: "drafts/a.md", Duplication: 0.8, Verdict: check.Reject,
		Elements: []check.ElementResult{{
			Type: element.Hook, Start: 0, End: 9, Duplication: 1, Text: "第一行文案内容\n第二行", Line: 3,
			Matches: []check.Match{{ElementID: "lib/x.md#1", AssetID: "lib/x.md", Type: element.Hook,
				Similarity: 0.9, Containment: 1, Spans: []check.Span{{Start: 0, End: 7, LibraryStart: 2, LibraryEnd: 9, Kind: check.KindExact}, {Start: 8, End: 10, LibraryStart: 10, LibraryEnd: 12}}}},
		}}}
	passed := &check.Result{File: "drafts/b,c.md", AssetID: "drafts/b,c.md", Duplication: 0.1, Verdict: check.Pass,
		Elements: []check.ElementResult{{Type: element.Conversion, Text: "<script>alert(1)</script>", Matches: []check.Match{}}}}
	return &Report{Threshold: 0.62, Results: []*check.Result{rejected, passed},
		Errors: []FileError{{File: "bad.srt", Line: 4, Error: "malformed timecode"}}}
}

func render(t *testing.T, format string, r *Report) string {
	var b bytes.Buffer
	require.NoError(t, Write(&b, format, r))
	return b.String()
}

func TestJSONIsSpecShape(t *testing.T) {
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(render(t, "json", sampleReport())), &got))
	assert.Equal(t, 0.62, got["threshold"])
	res := got["results"].([]any)[0].(map[string]any)
	for _, k := range []string{"file", "asset_id", "duplication", "verdict", "reuse_rate", "elements"} {
		assert.Contains(t, res, k)
	}
	el := res["elements"].([]any)[0].(map[string]any)
	for _, k := range []string{"type", "start", "end", "duplication", "matches"} {
		assert.Contains(t, el, k)
	}
	m := el["matches"].([]any)[0].(map[string]any)
	for _, k := range []string{"element_id", "asset_id", "type", "similarity", "containment", "spans"} {
		assert.Contains(t, m, k)
	}
	sp := m["spans"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"start": 0.0, "end": 7.0, "library_start": 2.0, "library_end": 9.0, "kind": "exact"}, sp)
	assert.NotContains(t, el, "text", "element text is not part of the SPEC JSON")
}

func TestJUnit(t *testing.T) {
	out := render(t, "junit", sampleReport())
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 3, doc.Tests)
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 1, doc.Errors)
	require.NotNil(t, doc.Suites[0].Cases[0].Failure)
	assert.Contains(t, doc.Suites[0].Cases[0].Failure.Message, "80.0%")
	assert.Nil(t, doc.Suites[0].Cases[1].Failure)
}

func TestSARIFRegionsFollowLines(t *testing.T) {
	var doc sarifLog
	require.NoError(t, json.Unmarshal([]byte(render(t, "sarif", sampleReport())), &doc))
	require.Len(t, doc.Runs, 1)
	rs := doc.Runs[0].Results
	require.Len(t, rs, 2, "one rejected element and one unreadable input")
	assert.Equal(t, ruleDuplication, rs[0].RuleID)
	assert.Equal(t, "drafts/a.md", rs[0].Locations[0].Physical.Artifact.URI)
	assert.Equal(t, sarifRegion{StartLine: 3, EndLine: 3}, rs[0].Locations[0].Physical.Region)
	assert.Equal(t, ruleInput, rs[1].RuleID)
	assert.Equal(t, 4, rs[1].Locations[0].Physical.Region.StartLine)
}

func TestGitHubEscapes(t *testing.T) {
	out := render(t, "github", sampleReport())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	assert.True(t, strings.HasPrefix(lines[0], "::error file=drafts/a.md,line=3,endLine=4,"), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "::notice file=drafts/b%2Cc.md,"), "commas in properties are escaped: %s", lines[1])
	assert.Contains(t, lines[2], "bad.srt,line=4")
}

func TestTextColourAndMarks(t *testing.T) {
	r := sampleReport()
	plain := render(t, "text", r)
	assert.Contains(t, plain, "REJECT  drafts/a.md")
	assert.Contains(t, plain, "«第一行文案内容» «第二»行")
	assert.NotContains(t, plain, "\x1b[")
	assert.Contains(t, plain, "2 checked, 1 rejected, 1 errors")
	r.Color = true
	colour := render(t, "text", r)
	assert.Contains(t, colour, ansiMatch)
	assert.NotContains(t, colour, "«")
}

func TestUnknownFormat(t *testing.T) {
	assert.Error(t, Write(&bytes.Buffer{}, "yaml", sampleReport()))
}
