package main

import (
	"bufio"
	"context"
	"elib/library"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChineseCLI (issue 24 item 6): with a Chinese locale (LANG, LC_ALL,
// LC_MESSAGES) or --lang zh, verdicts, tables and errors are Simplified
// Chinese; English otherwise; JSON keys and exit codes do not change.
// Times show in the --tz zone (default Asia/Shanghai): a +08:00 source
// prints as +08:00, not as UTC.
func TestChineseCLI(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	feed := filepath.Join(dir, "feed.jsonl")
	hook := "你是不是每天早上都为了挑衣服烦恼半小时？"
	conflict := "衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好。"
	require.NoError(t, os.WriteFile(feed, []byte(
		`{"id":"hit","title":"胶囊衣橱","meta":{"published":"2026-11-03T11:30:00+08:00","platform":"抖音"},"elements":[{"type":"hook","text":"`+hook+`"},{"type":"conflict","text":"`+conflict+`"}]}`+"\n"+
			`{"id":"other","meta":{"published":"2026-11-05T09:00:00+08:00","platform":"小红书"},"elements":[{"type":"hook","text":"这台恒温水壶五分钟就能烧开一壶，还能保温在四十五度冲奶粉。"}]}`+"\n"), 0o644))
	draft := filepath.Join(dir, "draft.md")
	require.NoError(t, os.WriteFile(draft, []byte("【钩子】"+hook+"\n【冲突】"+conflict+"\n"), 0o644))
	zh := []string{"LANG=zh_CN.UTF-8"}

	_, se, code := runElib(t, dir, zh, "--library", lib, "init")
	require.Equal(t, 0, code, se)
	out, se, code := runElib(t, dir, zh, "--library", lib, "import", feed)
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "已导入 2 个素材")

	// The verdict, in Chinese, with the same exit code.
	out, se, code = runElib(t, dir, zh, "--library", lib, "check", "--record", draft)
	assert.Equal(t, 1, code, se)
	for _, want := range []string{"回炉", "重复度 100.0%（阈值 62.0%）", "平台分级 L5", "元件复用率", "包含度", "主要来源", "检查 1 篇，回炉 1 篇，出错 0 个"} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "REJECT")
	assert.NotContains(t, out, "checked,")

	// LC_ALL wins over LANG; --lang over both.
	out, _, code = runElib(t, dir, []string{"LANG=zh_CN.UTF-8", "LC_ALL=en_US.UTF-8"}, "--library", lib, "check", draft)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "REJECT")
	assert.Contains(t, out, "1 checked, 1 rejected, 0 errors")
	out, _, code = runElib(t, dir, []string{"LC_MESSAGES=zh_CN.UTF-8"}, "--library", lib, "check", draft)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "回炉")
	out, _, code = runElib(t, dir, nil, "--lang", "zh", "--library", lib, "check", draft)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "回炉")
	out, _, code = runElib(t, dir, zh, "--lang", "en", "--library", lib, "check", draft)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "REJECT")

	// JSON keys and values do not change with the language.
	out, _, code = runElib(t, dir, zh, "--library", lib, "--format", "json", "check", draft)
	assert.Equal(t, 1, code)
	var rep struct {
		Results []map[string]any `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	require.Len(t, rep.Results, 1)
	assert.Equal(t, "reject", rep.Results[0]["verdict"])

	// An input that fails: the report's error line, its known phrases in
	// Chinese (the element package raises them in English).
	empty := filepath.Join(dir, "empty.md")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	out, _, code = runElib(t, dir, zh, "--library", lib, "check", empty)
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "错误  ")
	assert.Contains(t, out, "输入为空：没有文案")

	// Errors, in Chinese, exit code 2.
	_, se, code = runElib(t, dir, zh, "--library", filepath.Join(dir, "nowhere"), "check", draft)
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "elib：")
	assert.Contains(t, se, "没有元件库")
	_, se, code = runElib(t, dir, zh, "--library", lib, "--format", "yaml", "check", draft)
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "check 不支持 --format \"yaml\"")
	_, se, code = runElib(t, dir, nil, "--library", lib, "--format", "yaml", "check", draft)
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "unknown --format \"yaml\" for check")
	_, se, code = runElib(t, dir, zh, "--library", lib, "check", "--frmat", "json", draft)
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "elib：未知的参数: --frmat")
	_, se, code = runElib(t, dir, nil, "--lang", "fr", "--library", lib, "check", draft)
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "--lang \"fr\": want zh or en")

	// Tables: the history's columns in Chinese, times in Asia/Shanghai.
	out, se, code = runElib(t, dir, zh, "--library", lib, "history")
	require.Equal(t, 0, code, se)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	for _, h := range []string{"检查时间", "检查人", "文件", "结论", "重复度", "授权复用", "分级", "复制方式", "主要来源"} {
		assert.Contains(t, lines[0], h)
	}
	assert.Contains(t, lines[1], "回炉")
	assert.Contains(t, lines[1], "原样", "copied word for word")
	out, se, code = runElib(t, dir, zh, "--library", lib, "--format", "json", "history")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, `"span_kind": "exact"`)

	// Times: a +08:00 source prints as +08:00 (the default --tz), or in
	// the zone --tz names.
	out, se, code = runElib(t, dir, nil, "--library", lib, "search", "衣柜")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "published 2026-11-03T11:30:00+08:00")
	assert.NotContains(t, out, "T03:30:00Z")
	out, _, _ = runElib(t, dir, zh, "--library", lib, "search", "衣柜")
	assert.Contains(t, out, "发布 2026-11-03T11:30:00+08:00")
	assert.Contains(t, out, "命中 1 个元件")
	out, _, _ = runElib(t, dir, nil, "--tz", "UTC", "--library", lib, "search", "衣柜")
	assert.Contains(t, out, "published 2026-11-03T03:30:00Z")
	_, se, code = runElib(t, dir, zh, "--tz", "Mars/Olympus", "--library", lib, "search", "衣柜")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "不是时区")

	// stats --by in Chinese.
	out, se, code = runElib(t, dir, zh, "--library", lib, "stats", "--since", "2026-11-01", "--until", "2026-11-30", "--by", "platform")
	require.Equal(t, 0, code, se)
	for _, want := range []string{"元件库", "时间段", "复用率", "按平台", "抖音", "小红书", "疲劳元件"} {
		assert.Contains(t, out, want)
	}
	// The --by table lines up Chinese names (item 8): the counts start at
	// the same terminal column.
	col := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		for _, name := range []string{"抖音", "小红书"} {
			if strings.HasPrefix(strings.TrimSpace(line), name) {
				col[name] = displayWidth(line[:strings.Index(line, "个素材")])
			}
		}
	}
	require.Len(t, col, 2, out)
	assert.Equal(t, col["抖音"], col["小红书"], "the --by table's columns line up:\n%s", out)
}

// TestChineseBelowTheCommands (issue 24): errors raised below the commands
// — a parser's, the file system's, the library's — read in Chinese with
// their file and line; split, pack, allowlist and serve print Chinese; the
// team's time zone is kept with the library (elib init --tz) and every
// command shows times in it unless given --tz.
func TestChineseBelowTheCommands(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib")
	zh := []string{"LANG=zh_CN.UTF-8"}
	elib := func(env []string, args ...string) (string, string, int) {
		return runElib(t, dir, env, append([]string{"--library", lib}, args...)...)
	}

	out, se, code := elib(zh, "init", "--tz", "Asia/Tokyo")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "已在")
	assert.Contains(t, out, "（时间按 Asia/Tokyo 显示）")
	feed := filepath.Join(dir, "feed.jsonl")
	hook := "你是不是每天早上都为了挑衣服烦恼半小时？"
	require.NoError(t, os.WriteFile(feed, []byte(`{"id":"hit","title":"胶囊衣橱","meta":{"published":"2026-11-03T11:30:00+08:00"},"elements":[{"type":"hook","text":"`+hook+`"},{"type":"conversion","text":"今天点击下方链接，一套三个只要四十九，可以直接进开水消毒。"}]}`+"\n"), 0o644))
	_, se, code = elib(zh, "import", feed)
	require.Equal(t, 0, code, se)

	// Times: the library's zone, unless --tz; init --tz on the library
	// changes it.
	out, se, code = elib(nil, "search", "衣服")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "published 2026-11-03T12:30:00+09:00", "the library's zone, Asia/Tokyo")
	out, _, _ = elib(nil, "--tz", "UTC", "search", "衣服")
	assert.Contains(t, out, "published 2026-11-03T03:30:00Z")
	out, se, code = elib(zh, "init", "--tz", "Asia/Shanghai")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "今后按 Asia/Shanghai 显示时间")
	out, _, _ = elib(nil, "search", "衣服")
	assert.Contains(t, out, "published 2026-11-03T11:30:00+08:00")
	_, se, code = elib(zh, "init")
	assert.Equal(t, 2, code, "init without --tz on a library is still an error")
	assert.Contains(t, se, "已经有元件库")
	// The zone goes with the library when it is migrated.
	copyLib := filepath.Join(dir, "copy")
	_, se, code = runElib(t, dir, nil, "migrate", "--from", lib, "--to", copyLib)
	require.Equal(t, 0, code, se)
	out, _, _ = runElib(t, dir, nil, "--library", copyLib, "search", "衣服")
	assert.Contains(t, out, "published 2026-11-03T11:30:00+08:00")
	set, err := library.ReadSettings(context.Background(), copyLib)
	require.NoError(t, err)
	assert.Equal(t, "Asia/Shanghai", set.TimeZone)

	// A parser's error: Chinese, with the file and the line.
	bad := filepath.Join(dir, "bad.srt")
	require.NoError(t, os.WriteFile(bad, []byte("1\n00:00:01,000 --> 00:00:02,000\n"+hook+"\n\n2\n00:00:05,000 --> 00:00:03,000\n文案\n"), 0o644))
	out, _, code = elib(zh, "check", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "bad.srt:6: 时间码的结束早于开始：\"00:00:05,000 --> 00:00:03,000\"")
	assert.NotContains(t, out, "timecode")
	_, se, code = elib(zh, "--format", "json", "check", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "bad.srt:6: 时间码的结束早于开始")
	out, _, _ = elib(nil, "check", bad)
	assert.Contains(t, out, "bad.srt:6: timecode ends before it starts", "English otherwise")

	// The file system's: the operation and the cause in Chinese.
	_, se, code = elib(zh, "import", filepath.Join(dir, "missing.md"))
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "missing.md：文件或文件夹不存在")
	assert.NotContains(t, se, "no such file")

	// The library's: a lock held by another writer, a library of
	// another format.
	_, se, code = runElib(t, dir, zh, "--library", filepath.Join(dir, "nowhere"), "import", feed)
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "没有元件库")
	assert.NotContains(t, se, "no library")

	// split's text output.
	draft := filepath.Join(dir, "draft.md")
	require.NoError(t, os.WriteFile(draft, []byte("# 胶囊衣橱\n【钩子】"+hook+"\n【转化】今天点击下方链接，可以直接进开水消毒。\n"), 0o644))
	out, se, code = runElib(t, dir, zh, "split", draft)
	require.Equal(t, 0, code, se)
	for _, want := range []string{"素材 draft.md  《胶囊衣橱》  2 个元件", "字符 0-", "第 2 行", "属性：", "copy_verbs=点击、进、消毒"} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "开水、", "开水 is no copy verb")
	assert.NotContains(t, out, " elements")
	out, _, code = runElib(t, dir, zh, "split", bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "错误：")

	// pack and allowlist.
	out, se, code = elib(zh, "pack", "create", "--from", "hit", "--slot", "hook", "--title", "衣橱达人版")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "已从 hit 创建")
	out, se, code = elib(zh, "pack", "list")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "来自 hit  替换位 hook")
	out, se, code = elib(zh, "pack", "show", "pack-1")
	require.Equal(t, 0, code, se)
	for _, want := range []string{"来自 hit，创建于 ", "替换位", "固定", "钩子"} {
		assert.Contains(t, out, want)
	}
	out, se, code = elib(zh, "allowlist", "add", "以实物为准")
	require.Equal(t, 0, code, se)
	assert.Contains(t, out, "已添加 1 个短语（白名单共 1 个）")

	// serve's startup line.
	cmd := exec.Command(elibBinary(t), "--library", lib, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ELIB_LIBRARY=", "LC_ALL=", "LC_MESSAGES=", "LANG=zh_CN.UTF-8", "ELIB_TOKEN=")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	var line string
	for sc.Scan() {
		if strings.Contains(sc.Text(), "http://") {
			line = sc.Text()
			break
		}
	}
	assert.Contains(t, line, "elib：元件库 lib（1 个素材）")
	assert.Contains(t, line, "已在 http://")
	assert.Contains(t, line, "不接受写入")
	go func() {
		for sc.Scan() {
		}
	}()
}
