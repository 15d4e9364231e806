package media

import (
	"elib/internal/i18n/msg"
	"os"
	"time"
)

// Defaults of Limits: a short video is at most 4K (3840×2160 = 8.3
// Mpixel) and a few minutes long; the limits leave room above that and
// stay far below what a crafted header can claim.
const (
	DefaultMaxSide     = 8192
	DefaultMaxPixels   = 40_000_000
	DefaultMaxDuration = 15 * time.Minute
	DefaultMaxBytes    = 2 << 30
)

// Limits bound the media a job accepts. Media is untrusted input: a
// header can claim any size and duration, so they are checked against
// these after the probe and before any buffer is sized or any decoder
// runs, and the decoders are held to them too (ffmpeg's -t and
// -max_pixels).
type Limits struct {
	// MaxSide is the largest width or height of any video stream in
	// pixels. The default value is DefaultMaxSide (8,192).
	MaxSide int
	// MaxPixels is the largest width × height of any video stream. The
	// default value is DefaultMaxPixels (40,000,000).
	MaxPixels int
	// MaxDuration is the longest media accepted (container or any
	// stream). The default value is DefaultMaxDuration (15 minutes).
	MaxDuration time.Duration
	// MaxBytes is the largest file accepted. The default value is
	// DefaultMaxBytes (2 GiB).
	MaxBytes int64
}

// EnsureDefaults fills the zero fields with the defaults.
func (l *Limits) EnsureDefaults() {
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = DefaultMaxDuration
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
}

// Validate refuses negative limits (zero means the default).
func (l Limits) Validate() error {
	if l.MaxSide < 0 || l.MaxPixels < 0 || l.MaxDuration < 0 || l.MaxBytes < 0 {
		return msg.Errorf("media limits must not be negative: %+v", l)
	}
	return nil
}

// Sentinel errors of untrusted media.
var (
	// ErrOverLimit reports media beyond Limits; the message names the
	// measure and the limit.
	ErrOverLimit = msg.New("over the media limit")
	// ErrContainer reports a file that is not one of the accepted
	// containers (MP4/MOV, Matroska/WebM): playlists (HLS, ffconcat) and
	// every other format ffmpeg would follow or read are refused.
	ErrContainer = msg.New("not a supported video container (mp4, mov, mkv, webm)")
)

// Check returns an ErrOverLimit error when info is beyond l (defaults for
// zero fields).
func (l Limits) Check(info Info) error {
	l.EnsureDefaults()
	for _, s := range info.Video {
		if s.Width < 0 || s.Height < 0 {
			return msg.Errorf("%w: video stream of %d×%d pixels", ErrOverLimit, s.Width, s.Height)
		}
		if s.Width > l.MaxSide || s.Height > l.MaxSide {
			return msg.Errorf("%w: video stream of %d×%d pixels is over %d pixels per side", ErrOverLimit, s.Width, s.Height, l.MaxSide)
		}
		if int64(s.Width)*int64(s.Height) > int64(l.MaxPixels) {
			return msg.Errorf("%w: video stream of %d×%d pixels is over %d pixels per frame", ErrOverLimit, s.Width, s.Height, l.MaxPixels)
		}
	}
	if info.MaxDurationMs > l.MaxDuration.Milliseconds() || info.DurationMs > l.MaxDuration.Milliseconds() {
		d := time.Duration(max(info.MaxDurationMs, info.DurationMs)) * time.Millisecond
		return msg.Errorf("%w: %s long, over %s", ErrOverLimit, d.Round(time.Second), l.MaxDuration)
	}
	return nil
}

// checkSize returns an ErrOverLimit error when the file at path is larger
// than l.MaxBytes.
func (l Limits) checkSize(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return msg.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	if st.Size() > l.MaxBytes {
		return msg.Errorf("%w: %d bytes, over %d bytes", ErrOverLimit, st.Size(), l.MaxBytes)
	}
	return nil
}
