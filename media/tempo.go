package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// Tempo search range of the BPM estimate: bpm-tools' default 84–146 cuts
// off slow ballads and fast 卡点 music, so elib widens it.
const (
	MinBPM = 60
	MaxBPM = 200
)

// Audio analysis constants.
const (
	// SampleRate is the PCM rate bpm-tools expects.
	SampleRate = 44100
	// silenceRMS is the loudness below which audio is silent and has no tempo.
	silenceRMS = 1e-4
	// maxAudioSeconds bounds the audio kept in memory (30 min ≈ 320 MB of
	// float PCM); longer soundtracks are measured on their first 30 minutes.
	maxAudioSeconds = 30 * 60
	// MinElementTempoMs is the shortest element that gets its own tempo
	// estimate; shorter ones take the asset's (too few beats to measure).
	MinElementTempoMs = 8000
)

// Tempo is a tempo estimate with the range it searched.
type Tempo struct {
	// BPM is the estimate, 0 when the audio is silent.
	BPM float64
	// Min and Max are the searched range.
	Min, Max float64
}

// PCM is mono float audio at SampleRate.
type PCM []float32

// DecodeAudio decodes the first audio stream of path to 44.1 kHz mono float
// PCM with ffmpeg.
func DecodeAudio(ctx context.Context, tools Tools, path string) (PCM, error) {
	ff, err := tools.ffmpeg()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, ff, "-v", "error", "-nostdin", "-i", path, "-map", "0:a:0", "-vn",
		"-t", strconv.Itoa(maxAudioSeconds), "-ac", "1", "-ar", strconv.Itoa(SampleRate), "-f", "f32le", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("decode audio: %s", toolMessage(stderr.String(), err))
	}
	pcm := make(PCM, len(out)/4)
	for i := range pcm {
		pcm[i] = math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return pcm, nil
}

// Slice returns the audio between startMs and endMs (clamped).
func (p PCM) Slice(startMs, endMs int64) PCM {
	a := min(max(startMs*SampleRate/1000, 0), int64(len(p)))
	b := min(max(endMs*SampleRate/1000, a), int64(len(p)))
	return p[a:b]
}

// rms is the audio's loudness.
func (p PCM) rms() float64 {
	var s float64
	n := 0
	for _, x := range p {
		v := float64(x)
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			s += v * v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(s / float64(n))
}

// EstimateTempo pipes the audio to bpm-tools' bpm, which searches
// MinBPM–MaxBPM. Silent audio has BPM 0.
func EstimateTempo(ctx context.Context, tools Tools, pcm PCM) (Tempo, error) {
	t := Tempo{Min: MinBPM, Max: MaxBPM}
	if pcm.rms() < silenceRMS {
		return t, nil
	}
	bp, err := tools.bpm()
	if err != nil {
		return Tempo{}, err
	}
	cmd := exec.CommandContext(ctx, bp, "-m", strconv.Itoa(MinBPM), "-x", strconv.Itoa(MaxBPM))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = pcmReader(pcm)
	if err := cmd.Run(); err != nil {
		return Tempo{}, fmt.Errorf("bpm: %s", toolMessage(stderr.String(), err))
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(stdout.String()), 64)
	if err != nil || v <= 0 {
		return Tempo{}, fmt.Errorf("bpm printed %q, not a tempo", strings.TrimSpace(stdout.String()))
	}
	t.BPM = math.Round(v*10) / 10
	return t, nil
}

// FileTempo decodes the audio of path and estimates its tempo.
func FileTempo(ctx context.Context, tools Tools, path string) (Tempo, error) {
	if _, err := tools.bpm(); err != nil {
		return Tempo{}, err
	}
	pcm, err := DecodeAudio(ctx, tools, path)
	if err != nil {
		return Tempo{}, err
	}
	return EstimateTempo(ctx, tools, pcm)
}

// pcmReader streams PCM as little-endian float32 bytes.
func pcmReader(p PCM) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 0, 1<<16)
		for i, x := range p {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
			if len(buf) == cap(buf) || i == len(p)-1 {
				if _, err := pw.Write(buf); err != nil {
					pw.CloseWithError(err)
					return
				}
				buf = buf[:0]
			}
		}
		pw.Close()
	}()
	return pr
}
