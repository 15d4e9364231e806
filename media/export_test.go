package media

import (
	"context"
	"elib/fingerprint/footage"
	"elib/internal/i18n/msg"
	"elib/media/ocr"
	"os"
	"path/filepath"
)

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
