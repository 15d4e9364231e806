package check_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/fingerprint/footage"
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

// errDown is what the failing library's reads return.
var errDown = errors.New("connection reset by peer")

// failing is a library one of whose read methods fails: on its first
// call only, or on every call. It counts the calls of each method.
type failing struct {
	*index.Library
	method string
	always bool
	mu     sync.Mutex
	calls  map[string]int
}

func newFailing(lib *index.Library, method string, always bool) *failing {
	return &failing{Library: lib, method: method, always: always, calls: map[string]int{}}
}

// read counts a call of m and returns errDown when m is to fail.
func (f *failing) read(m string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[m]++
	if m == f.method && (f.always || f.calls[m] == 1) {
		return errDown
	}
	return nil
}

func (f *failing) count(m string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[m]
}

func (f *failing) CandidateCounts(keys []uint64, fn func(ref uint32, bands int)) error {
	if err := f.read("CandidateCounts"); err != nil {
		return err
	}
	return f.Library.CandidateCounts(keys, fn)
}

func (f *failing) Element(ref uint32) (*element.Stored, error) {
	if err := f.read("Element"); err != nil {
		return nil, err
	}
	return f.Library.Element(ref)
}

func (f *failing) Prefetch(refs []uint32) error {
	if err := f.read("Prefetch"); err != nil {
		return err
	}
	return f.Library.Prefetch(refs)
}

func (f *failing) AssetElements(id string) ([]uint32, error) {
	if err := f.read("AssetElements"); err != nil {
		return nil, err
	}
	return f.Library.AssetElements(id)
}

func (f *failing) Asset(id string) (*element.Asset, error) {
	if err := f.read("Asset"); err != nil {
		return nil, err
	}
	return f.Library.Asset(id)
}

func (f *failing) Allowlist() ([]string, error) {
	if err := f.read("Allowlist"); err != nil {
		return nil, err
	}
	return f.Library.Allowlist()
}

func (f *failing) SentenceDFs(hashes []uint64) ([]int, error) {
	if err := f.read("SentenceDFs"); err != nil {
		return nil, err
	}
	return f.Library.SentenceDFs(hashes)
}

func (f *failing) AssetCount() (int, error) {
	if err := f.read("AssetCount"); err != nil {
		return 0, err
	}
	return f.Library.AssetCount()
}

func (f *failing) AnchorHolders(hashes []uint64, limit int, fn func(i int, ref uint32)) ([]int, error) {
	if err := f.read("AnchorHolders"); err != nil {
		return nil, err
	}
	return f.Library.AnchorHolders(hashes, limit, fn)
}

func (f *failing) AssetsOf(refs []uint32) ([]string, error) {
	if err := f.read("AssetsOf"); err != nil {
		return nil, err
	}
	return f.Library.AssetsOf(refs)
}

func (f *failing) FootageLookup(q *footage.Fingerprint, opts footage.LookupOptions) (footage.Result, error) {
	if err := f.read("FootageLookup"); err != nil {
		return footage.Result{}, err
	}
	return f.Library.FootageLookup(q, opts)
}

// TestFailedReads: a read that fails reaches the caller, wrapped with
// what was read (check.ErrRead); a Session checks once more, and when a
// read fails again there is no verdict: check.ErrLibraryUnavailable,
// wrapping the cause. Each read method of a Source fails in turn, on the
// check of an asset that makes the check call every one: a video (its
// footage is a library video's) whose id is a library asset's (its own
// published version) with that asset's text edited, and only one LSH
// candidate kept, so that anchors bring the others.
func TestFailedReads(t *testing.T) {
	eng := elibtest.Engine(t)
	pics := frames(7, 20)
	own := libraryAssets[0]
	video := videoWith("lib/source.mp4", "原视频的字幕讲的是春天去山里看花的路线", pics...)
	lib, err := index.Memory(context.Background(), eng, append(slices.Clone(libraryAssets), video))
	require.NoError(t, err)
	texts := textsOf(own)
	texts[1] = "粉底越涂越卡粉，下午三点就开始脱妆，朋友还问我是不是感冒了。"
	checked := asset(own.ID, append(texts, textsOf(libraryAssets[1])[2])...)
	checked.Footage = videoWith("x", "x", pics...).Footage
	opts := check.Options{Tuning: check.Tuning{MaxCandidates: 1}}
	sopts := check.SessionOptions{Threshold: check.DefaultThreshold, FootageThreshold: check.DefaultFootageThreshold}
	ctx := context.Background()

	clean := newFailing(lib, "", false)
	s, err := check.NewSession(eng, opts, sopts, clean)
	require.NoError(t, err)
	want, err := s.Check(ctx, checked.ID, &checked)
	require.NoError(t, err)
	require.NotNil(t, want.OwnVersion, "checked against its own published version")
	require.NotNil(t, want.Footage)

	for _, tc := range []struct {
		method string
		what   string // in the error: what was read
	}{
		{"CandidateCounts", "LSH candidates"},
		{"Element", "element"},
		{"Prefetch", "prefetch"},
		{"AssetElements", "elements of its library version"},
		{"Asset", "its library version"},
		{"SentenceDFs", "sentence frequencies"},
		{"AssetCount", "asset count"},
		{"AnchorHolders", "anchor holders"},
		{"AssetsOf", "assets of candidates"},
		{"FootageLookup", "footage"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			require.Positive(t, clean.count(tc.method), "the check calls %s", tc.method)

			// Checker.Check: the first failure is the error, named.
			always := newFailing(lib, tc.method, true)
			c, err := check.New(eng, opts, always)
			require.NoError(t, err)
			_, err = c.Check(ctx, checked.ID, &checked)
			require.ErrorIs(t, err, check.ErrRead)
			require.ErrorIs(t, err, errDown)
			assert.ErrorContains(t, err, tc.what)
			assert.NotErrorIs(t, err, check.ErrLibraryUnavailable)
			assert.Equal(t, 1, always.count(tc.method), "the check stops at the first failed read")

			// Session: one retry, then no verdict.
			always = newFailing(lib, tc.method, true)
			s, err := check.NewSession(eng, opts, sopts, always)
			require.NoError(t, err)
			_, err = s.Check(ctx, checked.ID, &checked)
			require.ErrorIs(t, err, check.ErrLibraryUnavailable)
			require.ErrorIs(t, err, errDown)
			assert.ErrorContains(t, err, tc.what)
			assert.Equal(t, 2, always.count(tc.method), "checked twice")

			// Session: a failure the retry does not meet is no failure.
			once := newFailing(lib, tc.method, false)
			s, err = check.NewSession(eng, opts, sopts, once)
			require.NoError(t, err)
			got, err := s.Check(ctx, checked.ID, &checked)
			require.NoError(t, err, "the retry reads everything")
			assert.Equal(t, want, got)
			assert.Greater(t, once.count(tc.method), 1)
		})
	}

	// The allowlist is read when the checker is built.
	_, err = check.NewSession(eng, opts, sopts, newFailing(lib, "Allowlist", true))
	require.ErrorIs(t, err, check.ErrRead)
	require.ErrorIs(t, err, errDown)
	assert.ErrorContains(t, err, "allowlist")
}
