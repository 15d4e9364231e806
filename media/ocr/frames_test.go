package ocr

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scripted is a video of n frames at 2 a second: a watermark read on
// some frames only, and captions — each its text, place and frames.
type scripted struct {
	n        int
	captions []struct {
		text       string
		box        Rect
		from, upto int // frames from … upto−1
	}
	markMissed func(i int) bool
}

func (s *scripted) lines(i int) []Line {
	var out []Line
	if !s.markMissed(i) {
		out = append(out, Line{Box: Rect{20, 20, 300, 60}, Text: "@小美的好物分享", Score: 0.9})
	}
	for _, c := range s.captions {
		if i >= c.from && i < c.upto {
			out = append(out, Line{Box: c.box, Text: c.text, Score: 0.95})
		}
	}
	return out
}

func (s *scripted) caption(text string, y, from, upto int) {
	s.captions = append(s.captions, struct {
		text       string
		box        Rect
		from, upto int
	}{text, Rect{100, y, 980, y + 70}, from, upto})
}

// run reads the scripted video with workers, returning what each frame
// shows and which frames were read.
func (s *scripted) run(t *testing.T, opts ReadOptions) ([]frameLines, map[int]bool) {
	t.Helper()
	opts.ensureDefaults()
	frames := make(chan Frame)
	go func() {
		defer close(frames)
		for i := range s.n {
			frames <- Frame{TimeMs: int64(i) * 500}
		}
	}()
	var mu sync.Mutex
	readOnes := map[int]bool{}
	got, err := readFrames(context.Background(), frames, opts, func(f Frame) (frameLines, error) {
		i := int(f.TimeMs / 500)
		mu.Lock()
		assert.False(t, readOnes[i], "frame %d read twice", i)
		readOnes[i] = true
		mu.Unlock()
		return frameLines{TimeMs: f.TimeMs, Lines: s.lines(i)}, nil
	})
	require.NoError(t, err)
	require.Len(t, got, s.n)
	return got, readOnes
}

// TestReadFramesSkipsOnlyWhatItCanTell: every fourth frame is read; the
// frames between two that show the same caption are not read and are
// taken to show it; the frames around a caption change, a short caption,
// a gap without captions and the last frame are read;
// a watermark missed on some frames does not make the frames between
// read once it has been on screen for 8 s; the outcome is the same as
// reading every frame, whatever the workers.
func TestReadFramesSkipsOnlyWhatItCanTell(t *testing.T) {
	s := &scripted{n: 61, markMissed: func(i int) bool { return i%5 == 2 || i%7 == 3 }}
	// 2.5 s captions back to back at changing heights, as in the tests.
	for k := range 8 {
		s.caption([]string{"第一句字幕", "第二句字幕", "第三句字幕", "第四句字幕"}[k%4]+string(rune('A'+k)), 1190+20*(k%4), 5*k, 5*k+5)
	}
	// A gap of 3 s (frames 40–45), then a 1 s caption, a 0.5 s one
	// between frames showing nothing else, and a long last one.
	s.caption("一秒的字幕", 1300, 46, 48)
	s.caption("闪现", 1300, 49, 50)
	s.caption("最后一句一直到结尾", 1250, 51, 61)

	for _, workers := range []int{1, 2, 3} {
		all, readAll := s.run(t, ReadOptions{Workers: workers, ReadAll: true})
		assert.Len(t, readAll, s.n)
		got, read := s.run(t, ReadOptions{Workers: workers})
		for i := range s.n {
			if i%4 == 0 || i == s.n-1 {
				assert.True(t, read[i], "frame %d: every fourth frame and the last are read", i)
			}
			// Frames taken without reading show the caption lines of
			// the frame before; read frames are what they are.
			assert.Equal(t, captionTexts(all[i].Lines), captionTexts(got[i].Lines), "frame %d (workers %d)", i, workers)
			assert.Equal(t, int64(i)*500, got[i].TimeMs)
		}
		for i := 41; i <= 45; i += 2 {
			assert.True(t, read[i], "frame %d: no caption around it, read", i)
		}
		assert.True(t, read[49], "the 0.5 s caption's frame is read (its neighbours show nothing)")
		for _, i := range []int{5, 9, 15, 19, 25, 29, 35, 39} {
			assert.True(t, read[i], "frame %d: the caption changes around it", i)
		}
		assert.LessOrEqual(t, len(read), 45, "workers %d: frames read", workers)
		t.Logf("workers %d: %d of %d frames read", workers, len(read), s.n)
	}
}

// captionTexts are the texts of the lines other than the watermark.
func captionTexts(ls []Line) []string {
	var out []string
	for _, l := range ls {
		if l.Text != "@小美的好物分享" {
			out = append(out, l.Text)
		}
	}
	return out
}

// TestReadFramesStopsOnError: a failed read ends the reading with its
// error and the producer is not left blocked.
func TestReadFramesStopsOnError(t *testing.T) {
	frames := make(chan Frame)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		defer close(frames)
		for i := range 50 {
			frames <- Frame{TimeMs: int64(i) * 500}
		}
	}()
	boom := errors.New("boom")
	_, err := readFrames(context.Background(), frames, ReadOptions{Workers: 2}, func(f Frame) (frameLines, error) {
		if f.TimeMs == 4000 {
			return frameLines{}, boom
		}
		return frameLines{TimeMs: f.TimeMs}, nil
	})
	assert.ErrorIs(t, err, boom)
	<-sent
}
