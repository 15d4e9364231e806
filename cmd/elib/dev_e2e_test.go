package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDevSetThroughBinary is the acceptance run of the pre-publish check as
// a user runs it: `elib init`, `elib import library`, `elib allowlist add
// --file boilerplate.txt`, `elib check --format json new/`, compared with
// check_truth.json. (check/accuracy_test.go prints the per-recipe table.)
func TestDevSetThroughBinary(t *testing.T) {
	dev := repoPath(t, "../shared/dev")
	if _, err := os.Stat(filepath.Join(dev, "check_truth.json")); err != nil {
		t.Skip("development set ../shared/dev not present")
	}
	lib := filepath.Join(t.TempDir(), "lib")
	_, stderr, code := runElib(t, dev, nil, "--library", lib, "init")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, dev, nil, "--library", lib, "import", "library")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = runElib(t, dev, nil, "--library", lib, "allowlist", "add", "--file", "boilerplate.txt")
	require.Equal(t, 0, code, stderr)

	stdout, stderr, code := runElib(t, dev, nil, "--library", lib, "check", "--format", "json", "new")
	require.Equal(t, 1, code, "some candidates are rejected; stderr: %s", stderr)
	var got checkJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))

	var truth struct {
		Threshold float64 `json:"threshold"`
		Files     []struct {
			File        string  `json:"file"`
			Duplication float64 `json:"duplication"`
			Verdict     string  `json:"verdict"`
		} `json:"files"`
	}
	data, err := os.ReadFile(filepath.Join(dev, "check_truth.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &truth))
	byFile := map[string]int{}
	for i, r := range got.Results {
		byFile[filepath.ToSlash(r.File)] = i
	}
	require.Len(t, got.Results, len(truth.Files))
	clear, agree := 0, 0
	absErr := 0.0
	for _, f := range truth.Files {
		i, ok := byFile[f.File]
		require.True(t, ok, "no result for %s", f.File)
		r := got.Results[i]
		absErr += math.Abs(r.Duplication - f.Duplication)
		if math.Abs(f.Duplication-truth.Threshold) > 0.05 {
			clear++
			if r.Verdict == f.Verdict {
				agree++
			}
		}
	}
	mae := absErr / float64(len(truth.Files))
	t.Logf("verdict agreement %.3f on %d clear cases, duplication MAE %.4f", float64(agree)/float64(clear), clear, mae)
	assert.GreaterOrEqual(t, float64(agree)/float64(clear), 0.97)
	assert.LessOrEqual(t, mae, 0.06)
}
