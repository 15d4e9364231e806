package media

import (
	"bufio"
	"bytes"
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// frameOutput is one stream of sampled frames a decode pass delivers: the
// filters that make it from the decoded video, and the reader of its
// frames.
type frameOutput struct {
	// name says what the frames are for, in errors.
	name string
	// chain is the filter chain from the decoded video to these frames,
	// ending in the pixel format pixFmt ("fps=1,scale=…,format=rgb24").
	chain  string
	pixFmt string
	// frameBytes is the size of one frame.
	frameBytes int
	// frame is called with every frame in order (the slice is reused
	// after it returns); an error stops the pass.
	frame func(pix []byte) error
	// end, when set, is called once the output's frames stop, whether the
	// pass succeeded or not.
	end func()
	// done is called after the last frame, when the pass succeeded.
	done func() error
}

// decodePass decodes the first video stream of path once and feeds every
// output its frames: one ffmpeg process splits the decoded video into a
// branch per output (and side, a branch that writes no frames, such as
// scene detection into a file), each piped to its own reader. Camera
// motion, footage fingerprints and OCR share one decode this way. info is
// the file's Probe and must be within limits; the decode stops at
// limits.MaxDuration whatever the file claimed. The first failure — of
// ffmpeg or of a reader — stops the pass.
func decodePass(ctx context.Context, tools Tools, path string, info Info, limits Limits, outs []frameOutput, side string) error {
	limits.EnsureDefaults()
	if err := limits.Check(info); err != nil {
		return err
	}
	if info.Demuxer == "" {
		return ErrContainer
	}
	if !info.HasVideo {
		return msg.New("no video stream")
	}
	if len(outs) == 0 {
		return nil
	}
	bin, err := tools.ffmpeg()
	if err != nil {
		return err
	}
	abs, err := inputPath(path)
	if err != nil {
		return err
	}
	branches := len(outs)
	if side != "" {
		branches++
	}
	var g strings.Builder
	fmt.Fprintf(&g, "[0:v:0]split=%d", branches)
	for i := 0; i < branches; i++ {
		fmt.Fprintf(&g, "[s%d]", i)
	}
	for i, o := range outs {
		fmt.Fprintf(&g, ";[s%d]%s[o%d]", i, o.chain, i)
	}
	if side != "" {
		fmt.Fprintf(&g, ";[s%d]%s", len(outs), side)
	}
	args := append([]string{"-v", "error", "-nostdin", "-filter_complex_threads", "1"}, demuxerOptions(info, limits)...)
	args = append(args, "-t", seconds(limits.MaxDuration), "-i", abs, "-filter_complex", g.String())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The first output goes to stdout, the others to pipes 3, 4, … .
	readers := make([]io.ReadCloser, len(outs))
	var writers []*os.File
	closeAll := func() {
		for _, w := range writers {
			w.Close()
		}
		for _, r := range readers {
			if r != nil {
				r.Close()
			}
		}
	}
	for i, o := range outs {
		fd := "pipe:1"
		if i > 0 {
			r, w, err := os.Pipe()
			if err != nil {
				closeAll()
				return err
			}
			readers[i], writers = r, append(writers, w)
			fd = fmt.Sprintf("pipe:%d", 2+i)
		}
		args = append(args, "-map", fmt.Sprintf("[o%d]", i), "-an", "-sn", "-dn", "-f", "rawvideo", "-pix_fmt", o.pixFmt, fd)
	}
	cmd := command(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.ExtraFiles = writers
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		closeAll()
		return err
	}
	readers[0] = stdout
	if err := start(cmd); err != nil {
		closeAll()
		return msg.Errorf("start ffmpeg: %w", err)
	}
	for _, w := range writers {
		w.Close() // ffmpeg holds its copies
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i, o := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := readFrames(readers[i], o)
			if o.end != nil {
				o.end()
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", o.name, err)
				}
				mu.Unlock()
				cancel() // ffmpeg is killed; the other readers see EOF
			}
			_, _ = io.Copy(io.Discard, readers[i])
		}()
	}
	wg.Wait()
	waitErr := cmd.Wait()
	for _, r := range readers[1:] {
		r.Close()
	}
	if firstErr != nil {
		return firstErr
	}
	if waitErr != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		return msg.Errorf("decode video: %s", probeMessage(stderr.String(), waitErr))
	}
	for _, o := range outs {
		if o.done != nil {
			if err := o.done(); err != nil {
				return fmt.Errorf("%s: %w", o.name, err)
			}
		}
	}
	return nil
}

// readFrames reads whole frames of o from r until EOF and hands them to
// o.frame.
func readFrames(r io.Reader, o frameOutput) error {
	br := bufio.NewReaderSize(r, max(o.frameBytes, 64<<10))
	pix := make([]byte, o.frameBytes)
	for {
		if _, err := io.ReadFull(br, pix); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			return err
		}
		if err := o.frame(pix); err != nil {
			return err
		}
	}
}
