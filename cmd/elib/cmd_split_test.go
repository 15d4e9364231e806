package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runSplitForTest(t *testing.T, format string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &globalOptions{format: format, stdout: &out, stderr: &errOut, stdin: strings.NewReader(stdin)}
	err := runSplit(context.Background(), g, splitOptions{inputFormat: "txt"}, args)
	return out.String(), errOut.String(), err
}

type splitJSON struct {
	Files []struct {
		File   string `json:"file"`
		Line   int    `json:"line"`
		Error  string `json:"error"`
		Assets []struct {
			ID       string `json:"id"`
			Title    string `json:"title"`
			Elements []struct {
				Type       string         `json:"type"`
				Start      int            `json:"start"`
				End        int            `json:"end"`
				Text       string         `json:"text"`
				StartMs    *int64         `json:"start_ms"`
				EndMs      *int64         `json:"end_ms"`
				Attributes map[string]any `json:"attributes"`
			} `json:"elements"`
		} `json:"assets"`
	} `json:"files"`
}

func TestRunSplitJSON(t *testing.T) {
	dir := t.TempDir()
	script := "# 车载香薰\n\n【钩子】(0-3s)（镜头：推近）一上车就闻到怪味？\n【转化】（0:03-0:30）点击下方链接，今天立减20。[BGM 128bpm]\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.md"), []byte(script), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.srt"), []byte("1\n00:00:01,000 --> 00:0x:02,000\n你好\n"), 0o644))

	out, stderr, err := runSplitForTest(t, "json", "", dir)
	require.Error(t, err, "a bad input makes the command fail")
	var ce *exitCodeError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, exitError, ce.code)
	assert.Contains(t, stderr, "bad.srt:2:")

	var got splitJSON
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	require.Len(t, got.Files, 2)
	assert.Equal(t, filepath.Join(dir, "a.md"), got.Files[0].File)
	require.Len(t, got.Files[0].Assets, 1)
	a := got.Files[0].Assets[0]
	assert.Equal(t, "a.md", a.ID)
	assert.Equal(t, "车载香薰", a.Title)
	require.Len(t, a.Elements, 2)
	hook, conv := a.Elements[0], a.Elements[1]
	assert.Equal(t, "hook", hook.Type)
	assert.Equal(t, "一上车就闻到怪味？", hook.Text)
	assert.Equal(t, 0, hook.Start)
	assert.Equal(t, utf8.RuneCountInString(hook.Text), hook.End)
	assert.Equal(t, "推近", hook.Attributes["camera"])
	require.NotNil(t, hook.EndMs)
	assert.EqualValues(t, 3000, *hook.EndMs)
	assert.Equal(t, "conversion", conv.Type)
	assert.Equal(t, hook.End+1, conv.Start)
	assert.Equal(t, "点击下方链接，今天立减20。", conv.Text)
	assert.EqualValues(t, 128, conv.Attributes["bgm_bpm"])
	require.NotNil(t, conv.StartMs)
	assert.EqualValues(t, 3000, *conv.StartMs)

	assert.Equal(t, 2, got.Files[1].Line, "the failing line, as POST /v1/split gives it")
	assert.Contains(t, got.Files[1].Error, "malformed timecode")
	assert.Empty(t, got.Files[1].Assets)
}

func TestRunSplitTextAndStdin(t *testing.T) {
	out, stderr, err := runSplitForTest(t, "text", "[hook] 你是不是还在熬夜？\n[conversion] 点击链接下单。\n", "-")
	require.NoError(t, err, stderr)
	assert.Contains(t, out, "钩子 hook")
	assert.Contains(t, out, "转化 conversion")
	assert.Contains(t, out, "你是不是还在熬夜？")
	assert.Contains(t, out, "asset stdin")
}

func TestRunSplitErrors(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
		file    string
		want    string
	}{
		{"empty", nil, "e.txt", "e.txt: empty input"},
		{"binary", []byte("abc\x00\x01def"), "b.txt", "b.txt:1: binary data"},
		{"csv without text column", []byte("a,b\n1,2\n"), "t.csv", "t.csv:1: no text column"},
		{"json wrong shape", []byte("[1,2]"), "j.json", "j.json:1:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, tc.file)
			require.NoError(t, os.WriteFile(p, tc.content, 0o644))
			_, stderr, err := runSplitForTest(t, "text", "", p)
			require.Error(t, err)
			assert.Contains(t, stderr, tc.want)
		})
	}
	_, _, err := runSplitForTest(t, "xml", "", "x.txt")
	assert.Error(t, err)
}
