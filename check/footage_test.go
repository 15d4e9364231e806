package check_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/element"
	"elib/fingerprint/footage"
	"elib/index"
	"elib/internal/elibtest"
	"elib/media/pdq"
)

// frames are seconds of random frame hashes from seed.
func frames(seed uint64, seconds int) []pdq.Hash {
	r := rand.New(rand.NewPCG(seed, 11))
	out := make([]pdq.Hash, seconds)
	for i := range out {
		out[i] = pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
	}
	return out
}

// videoWith is a video asset whose footage shows hs, one a second.
func videoWith(id, text string, hs ...pdq.Hash) element.Asset {
	f := &footage.Fingerprint{IntervalMs: 1000, Sampled: len(hs)}
	for i, h := range hs {
		f.Frames = append(f.Frames, footage.Frame{Ms: int64(i) * 1000, Stored: []pdq.Hash{h}, Probes: []pdq.Hash{h}})
	}
	a := element.Asset{ID: id, Elements: []element.Element{{Type: element.Hook, Text: text}}}
	a.Reoffset()
	a.Footage = f.EncodeWithProbes()
	return a
}

// TestFootageVerdict: a video whose pictures are a library video's is
// rejected whatever its copy, with the matched time ranges on both sides;
// the footage threshold decides; an unrelated video and the library
// video itself (already in the library) pass; a text has no footage.
func TestFootageVerdict(t *testing.T) {
	eng := elibtest.Engine(t)
	src := frames(1, 40)
	lib, err := index.Memory(context.Background(), eng, []element.Asset{
		videoWith("lib/source.mp4", "原视频的字幕讲的是春天去山里看花的路线", src...),
	})
	require.NoError(t, err)
	c, err := check.New(eng, check.Options{}, lib)
	require.NoError(t, err)
	check1 := func(a element.Asset) *check.Result {
		res, err := c.Check(context.Background(), a.ID, &a)
		require.NoError(t, err)
		return res
	}

	// 20 s of the source from its 10th second, between 10 s of other
	// pictures: half the video, with new captions.
	reup := append(append(frames(2, 5), src[10:30]...), frames(3, 15)...)
	res := check1(videoWith("new/reupload.mp4", "完全不同的新字幕说的是夏天的海边烧烤", reup...))
	require.NotNil(t, res.Footage)
	assert.Equal(t, 40, res.Footage.Frames)
	assert.Equal(t, 20, res.Footage.Matched)
	assert.Equal(t, 0.5, res.Footage.Duplication)
	assert.Equal(t, check.DefaultFootageThreshold, res.Footage.Threshold)
	require.Len(t, res.Footage.Matches, 1)
	m := res.Footage.Matches[0]
	assert.Equal(t, "lib/source.mp4", m.AssetID)
	assert.Equal(t, []footage.Range{{StartMs: 5000, EndMs: 25000, LibraryStartMs: 10000, LibraryEndMs: 30000}}, m.Ranges)
	assert.Equal(t, check.Pass, res.Verdict, "0.5 is under the default 0.62")
	res.Footage.Threshold = 0.4
	res.Judge(check.DefaultThreshold)
	assert.Equal(t, check.Reject, res.Verdict, "0.5 is over 0.4")

	whole := check1(videoWith("new/copy.mp4", "另一段新写的字幕说的是冬天的滑雪装备", src...))
	assert.Equal(t, 1.0, whole.Footage.Duplication)
	assert.Equal(t, check.Reject, whole.Verdict)
	assert.Zero(t, whole.Duplication, "the copy is new: the footage rejects")

	other := check1(videoWith("new/other.mp4", "一条完全原创的视频讲的是城市夜跑的装备", frames(4, 30)...))
	assert.Zero(t, other.Footage.Duplication)
	assert.Empty(t, other.Footage.Matches)
	assert.Equal(t, check.Pass, other.Verdict)

	self := check1(videoWith("lib/source.mp4", "原视频的字幕讲的是春天去山里看花的路线", src...))
	assert.True(t, self.AlreadyInLibrary)
	assert.Zero(t, self.Footage.Duplication, "its own footage is left out")
	assert.Equal(t, check.Pass, self.Verdict)

	text := asset("new/text.md", "一段只有文字的脚本没有任何画面")
	res, err = c.Check(context.Background(), text.ID, &text)
	require.NoError(t, err)
	assert.Nil(t, res.Footage)
}
