package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint/footage"
	"elib/internal/i18n/msg"
	"elib/media/ocr"
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

// Test-only helpers: a parse runs one decode pass for motion, footage and
// OCR together (decodePass); these run one output on its own.

// ReadBurnedIn decodes the first video stream of path once, FPS RGB frames
// a second piped from ffmpeg, and reads the captions drawn into them with
// engine. A parse reads captions in the same pass as motion and footage
// (decodePass).
func ReadBurnedIn(ctx context.Context, tools Tools, engine *ocr.Engine, path string, info Info, opts OCROptions, limits Limits) (*ocr.Result, error) {
	out, wait, err := ocrOutput(ctx, engine, info, opts)
	if err != nil {
		return nil, err
	}
	passErr := decodePass(ctx, tools, path, info, limits, []frameOutput{out}, "")
	res, err := wait()
	if passErr != nil {
		return nil, passErr
	}
	if err != nil {
		return nil, msg.Errorf("read burned-in captions: %w", err)
	}
	return res, nil
}

// DecodeFootage decodes the first video stream of path once, FPS frames a
// second scaled to opts.LongSide as packed RGB through a pipe, and returns
// their footage fingerprint (see FootageHasher). info is the file's Probe;
// it must be within limits, and the decode stops at limits.MaxDuration. A
// parse fingerprints footage in the same pass as motion and OCR
// (decodePass).
func DecodeFootage(ctx context.Context, tools Tools, path string, info Info, opts FootageOptions, limits Limits) (*footage.Fingerprint, error) {
	if !info.HasVideo {
		return nil, msg.New("no video stream to fingerprint")
	}
	out, fh := footageOutput(info, opts)
	if err := decodePass(ctx, tools, path, info, limits, []frameOutput{out}, ""); err != nil {
		return nil, err
	}
	return fh.Finish(), nil
}

// DecodeMotion decodes the first video stream of path once: ffmpeg runs
// scdet on small copies of every frame for scene cuts, samples FPS grey
// frames a second and pipes them here, where consecutive frames are
// matched for global motion while ffmpeg keeps decoding. info is the
// file's Probe; it must be within limits (checked again here), and the
// decode stops at limits.MaxDuration whatever the file claimed. A parse
// measures motion in the same pass as footage and OCR (decodePass).
func DecodeMotion(ctx context.Context, tools Tools, path string, info Info, opts FrameOptions, limits Limits) (*MotionTrack, error) {
	dir, err := os.MkdirTemp("", "elib-media-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out, side, track := motionOutput(info, opts, filepath.Join(dir, "cuts.txt"))
	if err := decodePass(ctx, tools, path, info, limits, []frameOutput{out}, side); err != nil {
		return nil, err
	}
	return track, nil
}
