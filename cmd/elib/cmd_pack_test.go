package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackCommandsE2E(t *testing.T) {
	lib := importedSample(t)
	dir := filepath.Dir(lib)
	elib := func(args ...string) (string, string, int) {
		return runElib(t, dir, nil, append([]string{"--library", lib}, args...)...)
	}
	out, se, code := elib("--format", "json", "pack", "create", "--from", "baby/teether-05.txt", "--slot", "hook", "--title", "牙胶达人版", "--note", "只换开场")
	require.Equal(t, 0, code, se)
	var created struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(out), &created), out)
	assert.Equal(t, "pack-1", created.ID)

	out, _, code = elib("pack", "list")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "pack-1")
	assert.Contains(t, out, "牙胶达人版")
	out, _, code = elib("pack", "show", "pack-1")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "SLOT  hook")

	// The creator's variant passes; its fixed elements are licensed.
	variant := repoPath(t, "corpus/examples/creator-variant.md")
	out, se, code = elib("--format", "json", "check", "--pack", "pack-1", variant)
	require.Equal(t, 0, code, "%s %s", out, se)
	assert.Contains(t, out, `"licensed": true`)
	assert.Contains(t, out, `"pack": "pack-1"`)
	// Without the pack the same variant is a copy.
	_, _, code = elib("check", variant)
	assert.Equal(t, 1, code)
	// Keeping the pack's hook: rejected, slot not replaced.
	src, err := os.ReadFile(variant)
	require.NoError(t, err)
	kept := filepath.Join(dir, "kept.md")
	require.NoError(t, os.WriteFile(kept, []byte(strings.Replace(string(src), "宝宝长牙哭闹不停，当妈的能怎么办？", "长牙期的宝宝见什么咬什么？", 1)), 0o644))
	out, _, code = elib("check", "--pack", "pack-1", kept)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "slot not replaced")
	out, _, _ = elib("--format", "github", "check", "--pack", "pack-1", kept)
	assert.Contains(t, out, "slot not replaced")

	// Export in every format; the brief names the slot and marks inspiration.
	for format, want := range map[string]string{"md": "DO NOT COPY", "html": `data-role="slot"`, "json": `"do_not_copy": true`} {
		out, se, code := elib("--format", format, "pack", "export", "pack-1")
		require.Equal(t, 0, code, se)
		assert.Contains(t, out, want, format)
	}
	file := filepath.Join(dir, "brief.html")
	_, _, code = elib("--format", "html", "pack", "export", "pack-1", "-o", file)
	require.Equal(t, 0, code)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(b), "<!doctype html>")

	// Reindex keeps packs.
	_, se, code = elib("reindex", "--no-progress")
	require.Equal(t, 0, code, se)
	out, _, _ = elib("pack", "list")
	assert.Contains(t, out, "pack-1")

	// Errors: unknown pack, asset or slot; remove.
	for _, bad := range [][]string{{"check", "--pack", "pack-9", variant}, {"pack", "create", "--from", "nope"},
		{"pack", "create", "--from", "baby/teether-05.txt", "--slot", "story"}, {"pack", "show"}, {"pack", "frobnicate"}} {
		_, se, code := elib(bad...)
		assert.Equal(t, 2, code, "%v: %s", bad, se)
	}
	out, _, code = elib("pack", "remove", "pack-1")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "removed pack-1")
	_, _, code = elib("pack", "show", "pack-1")
	assert.Equal(t, 2, code)

	// The embedded sample library carries an example pack.
	out, se, code = runElib(t, dir, nil, "check", "--sample", "--pack", "pack-teether", variant)
	require.Equal(t, 0, code, "%s %s", out, se)
	out, _, code = runElib(t, dir, nil, "pack", "--sample", "export", "pack-teether")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "替换位 SLOT")
}
