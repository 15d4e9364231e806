// Package elibtest holds the fingerprint engine the tests of several
// packages share: its tokenizer loads once per test binary. (The paths of
// the development data are in internal/devdata, which imports nothing of
// elib, so the fingerprint packages' own tests can use it too.)
package elibtest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/fingerprint"
	"elib/fingerprint/wordseg"
)

var engine = sync.OnceValues(func() (*fingerprint.Engine, error) {
	seg, err := wordseg.Default()
	if err != nil {
		return nil, err
	}
	return fingerprint.New(fingerprint.Options{}, seg)
})

// Engine returns the default fingerprint engine, built once per test
// binary (loading the tokenizer takes about a second).
func Engine(t testing.TB) *fingerprint.Engine {
	t.Helper()
	e, err := engine()
	require.NoError(t, err)
	return e
}
