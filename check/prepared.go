package check

import (
	"context"

	"elib/element"
	"elib/fingerprint"
)

// Fingerprinted are an asset's elements fingerprinted ahead of its check:
// an import fingerprints them to store them (kit.Prepare), and the check
// of its outcome needs the same.
type Fingerprinted struct {
	// Engine made Elements; the check uses them only when it is the
	// checker's own engine.
	Engine *fingerprint.Engine
	// Elements[i] is Engine.Fingerprint of the asset's element i (equal to
	// what Engine.FingerprintAll gives, which the check computes).
	Elements []*fingerprint.Fingerprint
}

// CheckFingerprinted is Check of an asset whose elements are fingerprinted
// already: the same result, without fingerprinting them again. fps are
// used when their engine is the checker's and they are one per element;
// otherwise the check fingerprints the asset as Check does. fps must not be
// changed while the check runs.
func (s *Session) CheckFingerprinted(ctx context.Context, file string, a *element.Asset, fps Fingerprinted) (*Result, error) {
	if fps.Engine != s.checker.engine || len(fps.Elements) != len(a.Elements) {
		return s.Check(ctx, file, a)
	}
	return s.Check(context.WithValue(ctx, fingerprintedKey{}, fingerprintedAsset{a, fps.Elements}), file, a)
}

// fingerprintedKey carries a fingerprintedAsset from CheckFingerprinted to
// the checker's measure through Session.Check (its retry on a failed read
// included) without a parameter through every path of the check.
type fingerprintedKey struct{}

// fingerprintedAsset are the fingerprints of the elements of one asset:
// a check of another asset under the same context (a warner's) ignores
// them.
type fingerprintedAsset struct {
	asset *element.Asset
	fps   []*fingerprint.Fingerprint
}

// fingerprintOf is fingerprint, taking the asset's fingerprints from ctx
// when CheckFingerprinted put them there.
func (c *Checker) fingerprintOf(ctx context.Context, a *element.Asset) ([]*fingerprint.Fingerprint, *fingerprint.Fingerprint) {
	fa, ok := ctx.Value(fingerprintedKey{}).(fingerprintedAsset)
	if !ok || fa.asset != a {
		return c.fingerprint(a)
	}
	starts := make([]int, len(a.Elements))
	for i, e := range a.Elements {
		starts[i] = e.Start
	}
	return fa.fps, c.engine.Concat(fa.fps, starts)
}
