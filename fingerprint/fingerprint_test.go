package fingerprint_test

import (
	"slices"
	"testing"

	"github.com/longbridgeapp/opencc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/fingerprint"
	"elib/fingerprint/minhash"
	"elib/fingerprint/shingle"
	"elib/fingerprint/verify"
	"elib/internal/elibtest"
)

const script = "我连续用了二十八天这瓶精华，早上起来摸脸是软软的，上妆服帖了很多，办公室的空调房也不会起皮了。点击下方链接，今天直播间立减五十，再送同款小样三支。"

// TestTraditionalCopyVerifiesAsDuplicate is the engine end to end: a
// Traditional (Taiwan vocabulary) copy of a Simplified script gets the same
// fingerprint, is an LSH candidate, and verifies as copied in full.
func TestTraditionalCopyVerifiesAsDuplicate(t *testing.T) {
	e := elibtest.Engine(t)
	conv, err := opencc.New("s2twp")
	require.NoError(t, err)
	trad, err := conv.Convert(script)
	require.NoError(t, err)
	require.NotEqual(t, script, trad)

	a, b := e.Fingerprint(script), e.Fingerprint(trad)
	assert.Equal(t, string(a.Norm.Runes), string(b.Norm.Runes))
	assert.Equal(t, 1.0, verify.Jaccard(a.Shingles, b.Shingles))
	assert.Equal(t, a.Signature, b.Signature)
	ka, kb := e.BandKeys(nil, a.Signature), e.BandKeys(nil, b.Signature)
	assert.Equal(t, ka, kb, "identical band keys: always a candidate")

	var m verify.Matcher
	r := m.Compare(b.Norm, a.Norm, verify.Options{MinRun: e.Options().MinRun})
	assert.Equal(t, len(b.Norm.Runes), r.CoveredCount)
	require.NotEmpty(t, r.Spans)
	tr := []rune(trad)
	for _, s := range r.Spans {
		assert.LessOrEqual(t, s.End, len(tr), "spans point into the Traditional text the user wrote")
	}
}

func TestShortTextsGetDistinctFingerprints(t *testing.T) {
	e := elibtest.Engine(t)
	a, b := e.Fingerprint("好用"), e.Fingerprint("下单")
	require.NotEmpty(t, a.Shingles)
	require.NotEmpty(t, b.Shingles)
	assert.False(t, emptySet(a.Signature))
	assert.Less(t, equalLanes(a.Signature, b.Signature), 0.5, "short texts are not all identical")
	empty := e.Fingerprint("！！？ 🎉")
	assert.Empty(t, empty.Shingles)
	assert.True(t, emptySet(empty.Signature))
	assert.Empty(t, e.BandKeys(nil, empty.Signature))
}

func TestConcatEqualsWholeAndWindowsCover(t *testing.T) {
	e := elibtest.Engine(t)
	parts := []string{"熬夜追剧第二天，脸色暗沉得像没睡醒？", "粉底越涂越卡粉，下午两点就开始脱妆。", script}
	var fps []*fingerprint.Fingerprint
	var starts []int
	pos := 0
	for _, p := range parts {
		fps = append(fps, e.Fingerprint(p))
		starts = append(starts, pos)
		pos += len([]rune(p)) + 1
	}
	whole := e.Concat(fps, starts)
	n := 0
	for _, f := range fps {
		n += len(f.Norm.Runes)
	}
	require.Len(t, whole.Norm.Runes, n)
	joined := []rune(parts[0] + "\n" + parts[1] + "\n" + parts[2])
	for i, r := range whole.Norm.Runes {
		assert.Equal(t, r, e.Normalizer().Normalize(string(joined[whole.Norm.Offsets[i]])).Runes[0])
	}
	ws := e.Windows(whole, 8, 4)
	require.NotEmpty(t, ws)
	assert.Equal(t, 0, ws[0].Start)
	assert.Equal(t, len(whole.Norm.Runes), ws[len(ws)-1].End)
	for i := 1; i < len(ws); i++ {
		assert.LessOrEqual(t, ws[i].Start, ws[i-1].End, "windows overlap")
	}
	assert.Nil(t, e.Windows(fps[0], 100, 50), "a text shorter than a window has none")

	// The whole text and every window are signed exactly as if their
	// tokens were shingled from scratch (Concat and Windows reuse one pass
	// of shingle hashes).
	opts := shingle.Options{Size: e.Options().ShingleSize}
	h, err := minhash.New(minhash.Options{Lanes: e.Options().Lanes, Seed: e.Options().Seed})
	require.NoError(t, err)
	assert.Equal(t, shingle.Hashes(nil, whole.Tokens, opts), whole.Shingles)
	for _, size := range []int{8, 10, 24} {
		for _, w := range e.Windows(whole, size, size/2) {
			i := slices.Index(whole.TokenStarts, w.Start)
			require.GreaterOrEqual(t, i, 0)
			j := len(whole.Tokens)
			if k := slices.Index(whole.TokenStarts, w.End); k >= 0 {
				j = k
			}
			assert.Equal(t, h.Sign(nil, shingle.Hashes(nil, whole.Tokens[i:j], opts)), w.Signature, "window %d-%d", i, j)
		}
	}
}

func TestFingerprintAllEqualsOneByOne(t *testing.T) {
	e := elibtest.Engine(t)
	texts := []string{
		"熬夜追剧第二天，脸色暗沉得像没睡醒？",
		"",
		"！！🎉",
		"粉底越涂越卡粉，下午两点就开始脱妆。Ａpple 2024新款",
		script,
		"双十一领券立减，小黄车下单",
	}
	all := e.FingerprintAll(texts)
	require.Len(t, all, len(texts))
	for i, text := range texts {
		one := e.Fingerprint(text)
		assert.Equal(t, one.Tokens, all[i].Tokens, "text %d", i)
		assert.Equal(t, one.TokenStarts, all[i].TokenStarts, "text %d", i)
		assert.Equal(t, one.Shingles, all[i].Shingles, "text %d", i)
		assert.Equal(t, one.Signature, all[i].Signature, "text %d", i)
	}
}

// emptySet reports whether sig is the signature of the empty set.
func emptySet(sig []uint32) bool {
	return !slices.ContainsFunc(sig, func(v uint32) bool { return v != minhash.Empty })
}

// equalLanes is the share of equal lanes of two signatures of one length:
// MinHash's Jaccard estimate.
func equalLanes(a, b []uint32) float64 {
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	return float64(eq) / float64(len(a))
}
