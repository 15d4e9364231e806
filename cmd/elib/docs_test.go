package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestArchitectureNamesEveryPackage: docs/architecture.md has a line for
// every package of the module (by its path in backticks), so a package is
// never added without saying which floor it is on.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	doc, err := os.ReadFile("../../docs/architecture.md")
	require.NoError(t, err)
	cmd := exec.Command("go", "list", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err)
	pkgs := strings.Fields(string(out))
	require.NotEmpty(t, pkgs)
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p, "elib/")
		assert.Contains(t, string(doc), "`"+rel+"`", "docs/architecture.md has no line for package %s", rel)
	}
}
