package media

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/media/synth"
)

// TestDecodePassSharesOneDecode: one pass feeds motion, footage and a
// third reader the same video, each at its own rate and size; a reader
// that fails stops the pass with its error.
func TestDecodePassSharesOneDecode(t *testing.T) {
	needTools(t)
	clip := makeClip(t, "pass.mp4", synth.Spec{Segments: []synth.Segment{
		{Camera: element.CameraPanLeft, Seconds: 4, Text: "【钩子】一次解码"},
	}, Seed: 5})
	ctx := context.Background()
	info, err := Probe(ctx, Tools{}, clip)
	require.NoError(t, err)

	motion, side, track := motionOutput(info, FrameOptions{}, t.TempDir()+"/cuts.txt")
	shots, hasher := footageOutput(info, FootageOptions{})
	grey := 0
	third := frameOutput{name: "count", chain: "fps=5,scale=32:18,format=gray", pixFmt: "gray", frameBytes: 32 * 18,
		frame: func([]byte) error { grey++; return nil }}
	require.NoError(t, decodePass(ctx, Tools{}, clip, info, Limits{}, []frameOutput{motion, shots, third}, side))
	assert.InDelta(t, 40, len(track.Samples)+1, 1, "10 motion frames a second")
	fp := hasher.Finish()
	assert.Equal(t, 4, fp.Sampled, "1 footage frame a second")
	assert.InDelta(t, 20, grey, 1, "5 frames a second")

	// The same footage as DecodeFootage's own pass.
	alone, err := DecodeFootage(ctx, Tools{}, clip, info, FootageOptions{}, Limits{})
	require.NoError(t, err)
	assert.Equal(t, alone.Encode(), fp.Encode())

	boom := errors.New("reader failed")
	n := 0
	failing := frameOutput{name: "failing", chain: "fps=5,scale=32:18,format=gray", pixFmt: "gray", frameBytes: 32 * 18,
		frame: func([]byte) error {
			if n++; n == 3 {
				return boom
			}
			return nil
		}}
	shots2, _ := footageOutput(info, FootageOptions{})
	err = decodePass(ctx, Tools{}, clip, info, Limits{}, []frameOutput{shots2, failing}, "")
	assert.ErrorIs(t, err, boom)
}
