package media

import (
	"bufio"
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

// silenceRMS is the loudness below which a track is silent and has no tempo.
const silenceRMS = 1e-4

// Tempo is a tempo estimate with the range it searched.
type Tempo struct {
	// BPM is the estimate, 0 when the audio is silent.
	BPM float64
	// Min and Max are the searched range.
	Min, Max float64
}

// EstimateTempo decodes the first audio stream of path to 44.1 kHz mono
// float PCM with ffmpeg and pipes it to bpm-tools' bpm, which searches
// MinBPM–MaxBPM.
func EstimateTempo(ctx context.Context, tools Tools, path string) (Tempo, error) {
	ff, err := tools.ffmpeg()
	if err != nil {
		return Tempo{}, err
	}
	bp, err := tools.bpm()
	if err != nil {
		return Tempo{}, err
	}
	dec := exec.CommandContext(ctx, ff, "-v", "error", "-nostdin", "-i", path,
		"-map", "0:a:0", "-vn", "-ac", "1", "-ar", "44100", "-f", "f32le", "-")
	var decErr bytes.Buffer
	dec.Stderr = &decErr
	pcm, err := dec.StdoutPipe()
	if err != nil {
		return Tempo{}, err
	}
	est := exec.CommandContext(ctx, bp, "-m", strconv.Itoa(MinBPM), "-x", strconv.Itoa(MaxBPM))
	var estOut, estErr bytes.Buffer
	est.Stdout, est.Stderr = &estOut, &estErr
	in, err := est.StdinPipe()
	if err != nil {
		return Tempo{}, err
	}
	if err := dec.Start(); err != nil {
		return Tempo{}, fmt.Errorf("start ffmpeg: %w", err)
	}
	if err := est.Start(); err != nil {
		_ = dec.Process.Kill()
		_ = dec.Wait()
		return Tempo{}, fmt.Errorf("start bpm: %w", err)
	}
	rms, copyErr := copyMeasuring(in, pcm)
	in.Close()
	decWait := dec.Wait()
	estWait := est.Wait()
	if decWait != nil {
		return Tempo{}, fmt.Errorf("decode audio: %s", toolMessage(decErr.String(), decWait))
	}
	if copyErr != nil {
		return Tempo{}, fmt.Errorf("decode audio: %w", copyErr)
	}
	t := Tempo{Min: MinBPM, Max: MaxBPM}
	if rms < silenceRMS {
		return t, nil
	}
	if estWait != nil {
		return Tempo{}, fmt.Errorf("bpm: %s", toolMessage(estErr.String(), estWait))
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(estOut.String()), 64)
	if err != nil || v <= 0 {
		return Tempo{}, fmt.Errorf("bpm printed %q, not a tempo", strings.TrimSpace(estOut.String()))
	}
	t.BPM = math.Round(v*10) / 10
	return t, nil
}

// copyMeasuring copies float32 PCM from r to w and returns its RMS. A
// write error (the estimator exited) stops the copy but not the drain.
func copyMeasuring(w io.Writer, r io.Reader) (float64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	buf := make([]byte, 1<<16)
	var (
		sum      float64
		n        int64
		writeErr error
		carry    []byte
	)
	for {
		k, err := br.Read(buf)
		if k > 0 {
			chunk := append(carry, buf[:k]...)
			whole := len(chunk) / 4 * 4
			for i := 0; i < whole; i += 4 {
				x := float64(math.Float32frombits(binary.LittleEndian.Uint32(chunk[i:])))
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					sum += x * x
				}
				n++
			}
			carry = append(carry[:0], chunk[whole:]...)
			if writeErr == nil {
				_, writeErr = w.Write(buf[:k])
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if n == 0 {
		return 0, nil
	}
	return math.Sqrt(sum / float64(n)), nil
}
