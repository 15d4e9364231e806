package check_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/corpus"
	"elib/fingerprint"
	"elib/index"
	"elib/internal/elibtest"
)

// TestCheckFingerprintedEqualsCheck: on the sample library, every sample
// and creator-variant asset checked with its elements fingerprinted one by
// one (as an import does) gives Check's result, byte for byte; the
// fingerprints are taken (wrong ones change a result), and those of another
// engine or of another element count are not.
func TestCheckFingerprintedEqualsCheck(t *testing.T) {
	ctx := context.Background()
	eng := elibtest.Engine(t)
	sample, err := corpus.SampleAssets()
	require.NoError(t, err)
	variants, err := corpus.CreatorVariants()
	require.NoError(t, err)
	lib, err := index.Memory(ctx, eng, sample)
	require.NoError(t, err)
	require.NoError(t, lib.AllowlistAdd(corpus.Allowlist()...))
	s, err := check.NewSession(eng, check.Options{}, check.SessionOptions{Threshold: check.DefaultThreshold}, lib)
	require.NoError(t, err)
	other, err := fingerprint.New(eng.Options(), eng.Segmenter())
	require.NoError(t, err)
	encode := func(res *check.Result, err error) string {
		t.Helper()
		require.NoError(t, err)
		b, err := json.Marshal(res)
		require.NoError(t, err)
		return string(b)
	}
	changed := 0
	for _, a := range append(sample, variants...) {
		want := encode(s.Check(ctx, a.File, &a))
		fps := make([]*fingerprint.Fingerprint, len(a.Elements))
		for i, e := range a.Elements {
			fps[i] = eng.Fingerprint(e.Text)
		}
		assert.Equal(t, want, encode(s.CheckFingerprinted(ctx, a.File, &a, check.Fingerprinted{Engine: eng, Elements: fps})), a.ID)

		// Each element given the next one's fingerprint: not this asset's.
		wrong := append(append([]*fingerprint.Fingerprint{}, fps[1:]...), fps[0])
		if len(wrong) > 1 && encode(s.CheckFingerprinted(ctx, a.File, &a, check.Fingerprinted{Engine: eng, Elements: wrong})) != want {
			changed++
		}
		assert.Equal(t, want, encode(s.CheckFingerprinted(ctx, a.File, &a, check.Fingerprinted{Engine: other, Elements: wrong})), a.ID)
		assert.Equal(t, want, encode(s.CheckFingerprinted(ctx, a.File, &a, check.Fingerprinted{Engine: eng, Elements: wrong[1:]})), a.ID)
	}
	assert.Positive(t, changed, "the given fingerprints are the ones checked")
}
