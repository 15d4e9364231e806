// Package devdata finds the development data beside the repository
// (../shared: the synthetic dev set and the real-text dev-real set) for
// tests and measurements. Tests may read it; the product never needs it.
// It imports nothing of elib, so any package's tests can use it.
package devdata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// ModuleRoot returns the directory holding the module's go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := moduleRoot()
	require.NoError(t, err)
	return dir
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Find returns the absolute path of rel inside ../shared (the development
// data beside the repository) and whether it exists.
func Find(rel string) (string, bool) {
	root, err := moduleRoot()
	if err != nil {
		return "", false
	}
	p := filepath.Join(filepath.Dir(root), "shared", rel)
	_, err = os.Stat(p)
	return p, err == nil
}

// Shared is Find for a test that needs the data: it is skipped when the
// data is not there (tests may read ../shared; the product never needs it).
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p, ok := Find(rel)
	if !ok {
		t.Skipf("development data %s not present", p)
	}
	return p
}

// DevDir is ../shared/dev, the synthetic development set.
func DevDir(t testing.TB) string { return Shared(t, "dev") }

// DevRealDir is ../shared/dev-real, the real-text development set.
func DevRealDir(t testing.TB) string { return Shared(t, "dev-real") }
