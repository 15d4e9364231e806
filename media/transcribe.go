package media

import (
	"context"
	"elib/internal/i18n/msg"

	"elib/media/ocr"
)

// Transcriber turns the speech of a video (口播) into timed text, the
// copy of a video that has no captions at all. Set Options.Transcriber to
// use one: a video with no sidecar, no subtitle stream and no burned-in
// captions is then transcribed.
//
// No Transcriber ships with elib: no Mandarin speech model is packaged in
// any registry this project installs from (Debian's pocketsphinx has
// English only; the npm speech runtimes download their models at run time,
// which elib never does). The seam is here so that one can be added
// without touching the rest of the video path.
type Transcriber interface {
	// Transcribe returns the speech of the video at path as timed cues
	// (Text, StartMs and EndMs set).
	Transcribe(ctx context.Context, path string) ([]ocr.Cue, error)
}

// transcribe reads the copy of the video at path from its speech.
func (p *Parser) transcribe(ctx context.Context, o Options, path string) (copyText, error) {
	cues, err := o.Transcriber.Transcribe(ctx, path)
	if err != nil {
		return copyText{}, err
	}
	if len(cues) == 0 {
		return copyText{}, msg.New("no copy found: no subtitles, no burned-in captions, and no speech transcribed")
	}
	return copyText{data: cuesSRT(cues), format: "srt", source: SourceSpeech, describe: "speech"}, nil
}
