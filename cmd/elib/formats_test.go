package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check/report"
	"elib/element"
)

// readmeFormats is README's block of formats, made from the two tables.
func readmeFormats() string {
	var b strings.Builder
	b.WriteString("Input formats (`split`, `import`, `check`, `reindex --from`, the server's uploads; `--input-format NAME` for stdin):\n\n")
	b.WriteString("| format | extensions | what |\n|---|---|---|\n")
	for _, f := range element.Formats() {
		exts := "—"
		if len(f.Extensions) > 0 {
			exts = "`" + strings.Join(f.Extensions, "` `") + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, exts, f.Describe)
	}
	b.WriteString("\nOutput formats of `check --format` (the server answers in `json`, `html` and `xlsx`):\n\n")
	b.WriteString("| format | what |\n|---|---|\n")
	for _, f := range report.Formats() {
		fmt.Fprintf(&b, "| `%s` | %s |\n", f.Name, f.Describe)
	}
	return b.String()
}

// TestFormatsEverywhere: every registered input and output format is in
// README's list, --help, the completions and the commands that read
// inputs; none of them keeps a list of its own.
func TestFormatsEverywhere(t *testing.T) {
	t.Run("README", func(t *testing.T) {
		const path = "../../README.md"
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		start := bytes.Index(data, []byte("<!-- formats:"))
		end := bytes.Index(data, []byte("<!-- /formats -->"))
		require.True(t, start >= 0 && end > start, "README has no formats block")
		start += bytes.IndexByte(data[start:], '\n') + 1
		want := "\n" + readmeFormats() + "\n"
		if os.Getenv("ELIB_UPDATE_README") != "" {
			data = append(append(append([]byte(nil), data[:start]...), want...), data[end:]...)
			require.NoError(t, os.WriteFile(path, data, 0o644))
			return
		}
		assert.Equal(t, want, string(data[start:end]), "README's formats block is stale: run ELIB_UPDATE_README=1 go test -run TestFormatsEverywhere ./cmd/elib")
	})

	g := &globalOptions{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	root := newRootCommand(g)
	complete := func(t *testing.T, cmd *cobra.Command, flag string) []string {
		t.Helper()
		fn, ok := cmd.GetFlagCompletionFunc(flag)
		require.True(t, ok, "%s --%s has no completions", cmd.Name(), flag)
		got, _ := fn(cmd, nil, "")
		return got
	}
	for _, name := range []string{"split", "check"} {
		cmd, _, err := root.Find([]string{name})
		require.NoError(t, err)
		help := cmd.Flags().Lookup("input-format").Usage
		got := complete(t, cmd, "input-format")
		for _, f := range element.Formats() {
			if f.File {
				continue
			}
			assert.Contains(t, help, f.Name, "%s --input-format help", name)
			assert.Contains(t, got, f.Name, "%s --input-format completions", name)
		}
	}
	checkCmd, _, err := root.Find([]string{"check"})
	require.NoError(t, err)
	help := root.PersistentFlags().Lookup("format").Usage
	got := complete(t, checkCmd, "format")
	for _, f := range report.Formats() {
		assert.Contains(t, help, f.Name, "--format help")
		assert.Contains(t, got, f.Name, "--format completions")
	}
}
