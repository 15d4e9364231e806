package check_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
)

// half copies one element of lib/serum.md beside its own text: between
// 20 % and the default threshold of its countable characters are library
// material.
func half() element.Asset {
	t := textsOf(libraryAssets[0])
	return asset("new/half.md", "今天想和大家聊聊我最近的护肤心得，真的很有感触，换季的时候皮肤总是又干又痒。", t[2],
		"我平时洗完脸会先拍一层爽肤水，再用手心的温度把面霜慢慢捂进去，坚持一个月就能看到变化。", "关注我，下期分享更多好物。")
}

// TestSessionThresholdIsTakenAsGiven: 0 means 0 (anything copied rejects),
// 1 nothing; outside 0..1 there is no session.
func TestSessionThresholdIsTakenAsGiven(t *testing.T) {
	c := newChecker(t)
	a := half()
	for _, tc := range []struct {
		threshold float64
		verdict   string
	}{{0, check.Reject}, {check.DefaultThreshold, check.Pass}, {1, check.Pass}} {
		s, err := c.Session(check.SessionOptions{Threshold: tc.threshold})
		require.NoError(t, err)
		res, err := s.Check(context.Background(), a.ID, &a)
		require.NoError(t, err)
		require.Greater(t, res.Duplication, 0.2)
		require.Less(t, res.Duplication, check.DefaultThreshold)
		assert.Equal(t, tc.verdict, res.Verdict, "threshold %v, duplication %.3f", tc.threshold, res.Duplication)
	}
	for _, bad := range []float64{-0.1, 1.01} {
		_, err := c.Session(check.SessionOptions{Threshold: bad})
		assert.ErrorContains(t, err, "between 0 and 1", "threshold %v", bad)
	}
}

// slotRule rejects everything and licenses nothing: a variant's rule runs
// after the threshold.
type slotRule struct{ judged atomic.Int32 }

func (*slotRule) License() check.License { return check.License{} }
func (r *slotRule) Judge(res *check.Result, threshold float64) {
	r.judged.Add(1)
	res.Verdict, res.Reason = check.Reject, "slot"
}

type warner struct{}

func (warner) Warn(res *check.Result) {
	res.Warnings = append(res.Warnings, check.Warning{Kind: "test"})
}

func TestSessionAppliesTheVariantAndWarnings(t *testing.T) {
	c := newChecker(t)
	rule := &slotRule{}
	s, err := c.Session(check.SessionOptions{Threshold: 1, Variant: rule, Warner: warner{}})
	require.NoError(t, err)
	a := half()
	res, err := s.Check(context.Background(), a.ID, &a)
	require.NoError(t, err)
	assert.Equal(t, check.Reject, res.Verdict)
	assert.Equal(t, "slot", res.Reason)
	assert.EqualValues(t, 1, rule.judged.Load())
	require.Len(t, res.Warnings, 1)
	assert.Equal(t, "test", res.Warnings[0].Kind)
}

// flaky is a library whose candidate lookups fail the first failN times,
// finding nothing and counting the failure, as PostgreSQL's do.
type flaky struct {
	*index.Library
	failN, reads, failed atomic.Int64
}

func (f *flaky) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) {
	if f.reads.Add(1) <= f.failN.Load() {
		f.failed.Add(1)
		return
	}
	f.Library.CandidateCounts(keys, fn)
}

func (f *flaky) Failures() (uint64, error) {
	return uint64(f.failed.Load()), errors.New("connection reset")
}

// TestSessionFailedReads: a check during which a read failed is run once
// more; when a read fails again there is no verdict.
func TestSessionFailedReads(t *testing.T) {
	eng := elibtest.Engine(t)
	lib, err := index.Memory(context.Background(), eng, libraryAssets)
	require.NoError(t, err)
	copied := asset("new/copy.md", textsOf(libraryAssets[0])...)

	once := &flaky{Library: lib}
	once.failN.Store(1)
	s, err := check.NewSession(eng, check.Options{}, check.SessionOptions{Threshold: check.DefaultThreshold}, once)
	require.NoError(t, err)
	res, err := s.Check(context.Background(), copied.ID, &copied)
	require.NoError(t, err, "the retry reads everything")
	assert.Equal(t, check.Reject, res.Verdict)
	assert.EqualValues(t, 1, once.failed.Load())

	always := &flaky{Library: lib}
	always.failN.Store(1 << 40)
	s, err = check.NewSession(eng, check.Options{}, check.SessionOptions{Threshold: check.DefaultThreshold}, always)
	require.NoError(t, err)
	_, err = s.Check(context.Background(), copied.ID, &copied)
	require.ErrorIs(t, err, check.ErrLibraryUnavailable)
	assert.ErrorContains(t, err, "connection reset")
}
