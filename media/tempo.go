package media

import (
	"bufio"
	"bytes"
	"context"
	"elib/internal/i18n/msg"
	"encoding/binary"
	"errors"
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
	// MinElementTempoMs is the shortest element that gets its own tempo
	// estimate; shorter ones take the asset's (too few beats to measure).
	MinElementTempoMs = 8000
	// maxTempoRanges is the most ranges one MeasureTempo measures on
	// their own (each is a bpm process while its range plays); the rest
	// get no estimate of their own.
	maxTempoRanges = 32
	// pcmChunk is the size of the PCM reads passed on to bpm.
	pcmChunk = 64 << 10
)

// Tempo is a tempo estimate with the range it searched.
type Tempo struct {
	// BPM is the estimate, 0 when the audio is silent.
	BPM float64
	// Min and Max are the searched range.
	Min, Max float64
}

// TempoRange is a span of the audio, [StartMs, EndMs), whose own tempo
// is measured.
type TempoRange struct {
	StartMs, EndMs int64
}

// MeasureTempo decodes the first audio stream of path (info is its
// Probe) once, as 44.1 kHz mono float PCM, and streams it to bpm-tools'
// bpm: one run for the whole file and one for each range while it plays
// (at most maxTempoRanges; the others get a zero Tempo). Nothing holds
// more than a chunk of PCM, whatever the length (the decode stops at
// limits.MaxDuration). Silent audio has BPM 0.
func MeasureTempo(ctx context.Context, tools Tools, path string, info Info, limits Limits, ranges []TempoRange) (Tempo, []Tempo, error) {
	limits.EnsureDefaults()
	if info.Demuxer == "" {
		return Tempo{}, nil, ErrContainer
	}
	ff, err := tools.ffmpeg()
	if err != nil {
		return Tempo{}, nil, err
	}
	bp, err := tools.bpm()
	if err != nil {
		return Tempo{}, nil, err
	}
	abs, err := inputPath(path)
	if err != nil {
		return Tempo{}, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // on an early return, every tool started is killed
	args := append([]string{"-v", "error", "-nostdin"}, demuxerOptions(info, limits)...)
	args = append(args, "-t", seconds(limits.MaxDuration), "-i", abs, "-map", "0:a:0", "-vn", "-sn",
		"-ac", "1", "-ar", strconv.Itoa(SampleRate), "-f", "f32le", "pipe:1")
	dec := command(ctx, ff, args...)
	var decErr bytes.Buffer
	dec.Stderr = &decErr
	out, err := dec.StdoutPipe()
	if err != nil {
		return Tempo{}, nil, err
	}
	if err := start(dec); err != nil {
		return Tempo{}, nil, msg.Errorf("start ffmpeg: %w", err)
	}
	whole := &bpmRun{from: 0, to: math.MaxInt64}
	runs := []*bpmRun{whole}
	per := make([]*bpmRun, len(ranges))
	for i, r := range ranges {
		if i < maxTempoRanges && r.EndMs > r.StartMs {
			per[i] = &bpmRun{from: r.StartMs * SampleRate / 1000, to: r.EndMs * SampleRate / 1000}
			runs = append(runs, per[i])
		}
	}
	finishAll := func() {
		for _, b := range runs {
			b.close()
		}
		for _, b := range runs {
			b.wait()
		}
	}
	r := bufio.NewReaderSize(out, pcmChunk)
	buf := make([]byte, pcmChunk)
	var pos int64 // samples read so far
	var readErr error
	for {
		n, err := io.ReadFull(r, buf)
		n -= n % 4
		if n > 0 {
			chunk := buf[:n]
			end := pos + int64(n/4)
			for _, b := range runs {
				if b.to <= pos || b.from >= end || b.done {
					if b.started && b.to <= pos {
						b.close()
					}
					continue
				}
				if !b.started {
					b.start(ctx, bp)
				}
				lo, hi := max(b.from, pos)-pos, min(b.to, end)-pos
				b.write(chunk[lo*4 : hi*4])
				if b.to <= end {
					b.close()
				}
			}
			pos = end
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				readErr = err
			}
			break
		}
	}
	finishAll()
	waitErr := dec.Wait()
	if ctx.Err() != nil {
		return Tempo{}, nil, ctx.Err()
	}
	if waitErr != nil {
		return Tempo{}, nil, msg.Errorf("decode audio: %s", probeMessage(decErr.String(), waitErr))
	}
	if readErr != nil {
		return Tempo{}, nil, msg.Errorf("decode audio: %w", readErr)
	}
	t, err := whole.result()
	if err != nil {
		return Tempo{}, nil, err
	}
	tempos := make([]Tempo, len(ranges))
	for i, b := range per {
		if b == nil {
			continue
		}
		if tempos[i], err = b.result(); err != nil {
			return Tempo{}, nil, err
		}
	}
	return t, tempos, nil
}

// bpmRun is one bpm process fed the samples [from, to) of the decode.
type bpmRun struct {
	from, to int64
	started  bool
	done     bool // stdin closed (or never opened)
	cmd      *exec.Cmd
	in       io.WriteCloser
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	err      error
	// sum and n are the running sum of squares and the count of the
	// finite samples (the loudness).
	sum float64
	n   int64
}

func (b *bpmRun) start(ctx context.Context, bin string) {
	b.started = true
	b.cmd = command(ctx, bin, "-m", strconv.Itoa(MinBPM), "-x", strconv.Itoa(MaxBPM))
	b.cmd.Stdout, b.cmd.Stderr = &b.stdout, &b.stderr
	in, err := b.cmd.StdinPipe()
	if err == nil {
		err = start(b.cmd)
	}
	if err != nil {
		b.err, b.done, b.cmd = msg.Errorf("start bpm: %w", err), true, nil
		return
	}
	b.in = in
}

// write passes little-endian float32 samples on and adds their loudness.
func (b *bpmRun) write(p []byte) {
	if b.done {
		return
	}
	for i := 0; i+4 <= len(p); i += 4 {
		v := float64(math.Float32frombits(binary.LittleEndian.Uint32(p[i:])))
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			b.sum += v * v
			b.n++
		}
	}
	if _, err := b.in.Write(p); err != nil {
		b.err = msg.Errorf("bpm: %w", err)
		b.close()
	}
}

func (b *bpmRun) close() {
	if b.started && !b.done && b.in != nil {
		b.in.Close()
	}
	b.done = true
}

func (b *bpmRun) wait() {
	if b.cmd == nil {
		return
	}
	if err := b.cmd.Wait(); err != nil && b.err == nil {
		b.err = msg.Errorf("bpm: %s", toolMessage(b.stderr.String(), err))
	}
	b.cmd = nil
}

// result is the run's estimate: BPM 0 for silence (or no samples).
func (b *bpmRun) result() (Tempo, error) {
	t := Tempo{Min: MinBPM, Max: MaxBPM}
	if b.n == 0 || math.Sqrt(b.sum/float64(b.n)) < silenceRMS {
		return t, nil
	}
	if b.err != nil {
		return Tempo{}, b.err
	}
	out := strings.TrimSpace(b.stdout.String())
	v, err := strconv.ParseFloat(out, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return Tempo{}, msg.Errorf("bpm printed %q, not a tempo", out)
	}
	t.BPM = math.Round(v*10) / 10
	return t, nil
}

// FileTempo probes the file at path, checks it against the default
// Limits and estimates the tempo of its audio.
func FileTempo(ctx context.Context, tools Tools, path string) (Tempo, error) {
	if _, err := tools.bpm(); err != nil {
		return Tempo{}, err
	}
	info, err := Probe(ctx, tools, path)
	if err != nil {
		return Tempo{}, err
	}
	if err := (Limits{}).Check(info); err != nil {
		return Tempo{}, err
	}
	t, _, err := MeasureTempo(ctx, tools, path, info, Limits{}, nil)
	return t, err
}
