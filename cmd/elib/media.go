package main

import (
	"elib/internal/i18n"
	"time"

	"github.com/spf13/pflag"

	"elib/element"
	"elib/media"
)

// Linking package media registers the video parser with package element,
// so split, import, check, reindex and serve accept .mp4 .mov .mkv .webm.
// mediaFlags.apply registers it again with the limits and OCR settings of
// the flags.

// mediaFlags are the limits of untrusted media, the same for every
// command (--media-max-side, --media-max-pixels, --media-max-duration),
// and where the OCR models are (--models) and whether OCR wins over a
// subtitle stream (--ocr).
type mediaFlags struct {
	limits media.Limits
	// models is the OCR models folder (--models); ocr forces OCR of
	// burned-in captions (--ocr).
	models string
	ocr    bool
}

// addMediaFlags adds the media limit flags to fs.
func addMediaFlags(fs *pflag.FlagSet, m *mediaFlags) {
	fs.IntVar(&m.limits.MaxSide, "media-max-side", media.DefaultMaxSide, "largest video width or height in pixels")
	fs.IntVar(&m.limits.MaxPixels, "media-max-pixels", media.DefaultMaxPixels, "largest video frame in pixels (width × height)")
	fs.DurationVar(&m.limits.MaxDuration, "media-max-duration", media.DefaultMaxDuration, "longest video")
	fs.Int64Var(&m.limits.MaxBytes, "media-max-bytes", media.DefaultMaxBytes, "largest video file in bytes")
	fs.StringVar(&m.models, "models", "", "OCR models folder for burned-in video captions (default $ELIB_MODELS, else ./models; scripts/fetch-models.sh fetches them)")
	fs.BoolVar(&m.ocr, "ocr", false, "read a video's burned-in captions by OCR even when it has a subtitle stream or a sidecar .srt/.ass")
}

// apply checks the limits and registers the video parser with them.
func (m *mediaFlags) apply() error {
	l := m.limits
	if l.MaxSide <= 0 || l.MaxPixels <= 0 || l.MaxDuration <= 0 || l.MaxBytes <= 0 {
		return i18n.Errorf("--media-max-side, --media-max-pixels, --media-max-duration and --media-max-bytes must be positive")
	}
	if l.MaxDuration > 24*time.Hour {
		return i18n.Errorf("--media-max-duration %s: at most 24h", l.MaxDuration)
	}
	o := media.Options{Limits: l}
	o.OCR.Models, o.OCR.Force = m.models, m.ocr
	element.RegisterFileParser(element.FormatVideo, &media.Parser{Options: o})
	return nil
}
