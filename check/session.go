package check

import (
	"context"
	"errors"
	"fmt"

	"elib/element"
	"elib/fingerprint"
	"elib/internal/i18n/msg"
)

// ErrLibraryUnavailable fails a check whose library reads failed twice (a
// database restart): such a verdict cannot be trusted, so there is none.
var ErrLibraryUnavailable = msg.New("library unavailable")

// ErrRead marks a check's error as a failed library read: a Source
// method returned an error other than element.ErrNotFound. The check
// wraps it with what it read ("LSH candidates: library read failed: …");
// a Session checks once more on it, then fails with ErrLibraryUnavailable.
var ErrRead = msg.New("library read failed")

// Variant is what the checked texts may be licensed variants of (a creator
// pack, pack.Variant): its License licenses elements in the check and its
// Judge applies its own rule to a judged result (a pack's slot rule).
type Variant interface {
	License() License
	Judge(res *Result, threshold float64)
}

// Warner adds warnings to a judged result without changing its verdict
// (insight.Fatigue).
type Warner interface {
	Warn(res *Result)
}

// SessionOptions say how a Session judges.
type SessionOptions struct {
	// Threshold: an asset is rejected when its unlicensed duplication is
	// strictly greater. It is taken as given: 0 rejects anything copied,
	// 1 nothing; outside 0..1 NewSession fails. There is no default here:
	// callers apply DefaultThreshold where they read flags and request
	// fields.
	Threshold float64
	// FootageThreshold: a video is also rejected when the share of its
	// frames found in library videos is strictly greater (Result.Judge).
	// Taken as given like Threshold.
	FootageThreshold float64
	// Variant, when not nil, licenses its elements and judges each result
	// by its rule after the threshold.
	Variant Variant
	// Warner, when not nil, adds warnings to each judged result.
	Warner Warner
}

// Session is the product's one way to check and judge: the CLI, the
// server, stats and creator packs all check through one. It owns the
// threshold (validated once, 0 meaning 0), a pack's licence and slot
// rule, warnings, and the rule for failed library reads: a check whose
// read failed (its error wraps ErrRead) is run once more (after a
// database restart the first read on each pooled connection fails), and
// fails with ErrLibraryUnavailable, wrapping the second failure, if a
// read fails again. A Session is safe for concurrent use.
type Session struct {
	checker          *Checker
	threshold        float64
	footageThreshold float64
	variant          Variant
	warner           Warner
}

// Session returns a Session judging c's results by opts. With a Variant it
// checks with a twin of c that also licenses the variant's elements.
func (c *Checker) Session(opts SessionOptions) (*Session, error) {
	if err := ValidThreshold(opts.Threshold); err != nil {
		return nil, err
	}
	if err := ValidThreshold(opts.FootageThreshold); err != nil {
		return nil, msg.Errorf("footage %w", err)
	}
	s := &Session{checker: c, threshold: opts.Threshold, footageThreshold: opts.FootageThreshold,
		variant: opts.Variant, warner: opts.Warner}
	if opts.Variant != nil {
		o := c.opts
		o.License = opts.Variant.License()
		twin, err := New(c.engine, o, c.sources...)
		if err != nil {
			return nil, err
		}
		s.checker = twin
	}
	return s, nil
}

// NewSession builds a checker over sources with opts and a Session over it.
func NewSession(engine *fingerprint.Engine, opts Options, sopts SessionOptions, sources ...Source) (*Session, error) {
	c, err := New(engine, opts, sources...)
	if err != nil {
		return nil, err
	}
	return c.Session(sopts)
}

// Threshold returns the threshold the session judges at.
func (s *Session) Threshold() float64 { return s.threshold }

// Checker returns the checker the session checks with.
func (s *Session) Checker() *Checker { return s.checker }

// Check checks one asset and judges it: the thresholds, then the
// variant's rule, then warnings. file names it in the result.
func (s *Session) Check(ctx context.Context, file string, a *element.Asset) (*Result, error) {
	res, err := s.checker.measure(ctx, file, a)
	if errors.Is(err, ErrRead) && ctx.Err() == nil {
		res, err = s.checker.measure(ctx, file, a)
		if errors.Is(err, ErrRead) {
			err = fmt.Errorf("%w: %w", ErrLibraryUnavailable, err)
		}
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	if res.Footage != nil {
		res.Footage.Threshold = s.footageThreshold
	}
	res.Judge(s.threshold)
	if s.variant != nil {
		s.variant.Judge(res, s.threshold)
	}
	if s.warner != nil {
		s.warner.Warn(res)
	}
	return res, nil
}
