package main

import (
	"os"
	"os/exec"
	"slices"
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

// TestArchitectureFloors: no package imports one on a higher floor of
// docs/architecture.md's table than its own, and only the registry
// (library), the CLI and the measurement programs import a backend.
func TestArchitectureFloors(t *testing.T) {
	doc, err := os.ReadFile("../../docs/architecture.md")
	require.NoError(t, err)
	floorOf := map[string]int{}
	names := []string{}
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.Contains(cells[2], "`") {
			continue
		}
		if f := strings.TrimSpace(cells[1]); f != "" && f != "floor" {
			names = append(names, f)
		}
		require.NotEmpty(t, names, "the table's first row names a floor")
		for i, part := range strings.Split(cells[2], "`") {
			if i%2 == 1 {
				floorOf["elib/"+part] = len(names) - 1
			}
		}
	}
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err)
	backends := []string{"elib/index", "elib/library/postgres"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		own, ok := floorOf[pkg]
		if !assert.True(t, ok, "docs/architecture.md puts %s on no floor", pkg) {
			continue
		}
		for _, imp := range fields[1:] {
			f, ok := floorOf[imp]
			if !ok {
				continue // not elib's
			}
			assert.LessOrEqual(t, f, own, "%s (floor %s) imports %s (floor %s, higher)", pkg, names[own], imp, names[f])
			if slices.Contains(backends, imp) {
				assert.True(t, pkg == "elib/library" || pkg == "elib/cmd/elib" || strings.HasPrefix(pkg, "elib/benchmarks/"),
					"%s imports the backend %s: only the registry (library) and cmd/elib do", pkg, imp)
			}
		}
	}
}
