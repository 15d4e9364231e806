package element

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveDominant is dominant as it was: every span for every range.
func naiveDominant(spans []span, s, t int64) string {
	total := map[string]int64{}
	best := ""
	for _, sp := range spans {
		o := min(sp.end, t) - max(sp.start, s)
		if o <= 0 && !(sp.start == sp.end && sp.start >= s && sp.start < t) {
			continue
		}
		total[sp.value] += max(o, 0) + 1
		if best == "" || total[sp.value] > total[best] {
			best = sp.value
		}
	}
	return best
}

// The indexed dominant answers exactly as reading every span does.
func TestSpanIndexMatchesEverySpan(t *testing.T) {
	r := rand.New(rand.NewSource(20))
	for round := 0; round < 300; round++ {
		n := r.Intn(40)
		spans := make([]span, n)
		for i := range spans {
			s := int64(r.Intn(100))
			spans[i] = span{s, s + int64(r.Intn(30))*int64(r.Intn(2)), string(rune('a' + r.Intn(4)))}
		}
		x := newSpanIndex(spans)
		for q := 0; q < 30; q++ {
			s := int64(r.Intn(120))
			e := s + int64(r.Intn(40))
			require.Equal(t, naiveDominant(spans, s, e), x.dominant(s, e), "spans %v range [%d,%d)", spans, s, e)
		}
	}
}

// bigDraft is a draft timeline of cues text cues and sounds sound
// effects, each sound its own short segment.
func bigDraft(cues, sounds int) string {
	type seg struct {
		MaterialID string         `json:"material_id"`
		Target     map[string]int `json:"target_timerange"`
	}
	var texts, audios []map[string]any
	var textSegs, audioSegs, videoSegs []seg
	for i := 0; i < cues; i++ {
		id := fmt.Sprintf("t%d", i)
		texts = append(texts, map[string]any{"id": id, "type": "subtitle", "content": fmt.Sprintf("【%s】第%d句文案", []string{"钩子", "冲突", "证言", "转化", "故事"}[i%5], i)})
		textSegs = append(textSegs, seg{id, map[string]int{"start": i * 1_000_000, "duration": 1_000_000}})
		videoSegs = append(videoSegs, seg{"v", map[string]int{"start": i * 1_000_000, "duration": 1_000_000}})
	}
	for i := 0; i < sounds; i++ {
		id := fmt.Sprintf("a%d", i%50)
		if i < 50 {
			audios = append(audios, map[string]any{"id": id, "name": "音效" + id, "type": "sound"})
		}
		audioSegs = append(audioSegs, seg{id, map[string]int{"start": (i * 7919) % (cues * 1_000_000), "duration": 20_000}})
	}
	d := map[string]any{
		"id": "big", "name": "big", "duration": cues * 1_000_000, "canvas_config": map[string]int{"width": 1080, "height": 1920},
		"materials": map[string]any{"texts": texts, "audios": audios, "videos": []map[string]any{{"id": "v", "type": "video"}}},
		"tracks": []map[string]any{
			{"id": "tv", "type": "video", "segments": videoSegs},
			{"id": "tt", "type": "text", "segments": textSegs},
			{"id": "ta", "type": "audio", "segments": audioSegs},
		},
	}
	b, _ := json.Marshal(d)
	return string(b)
}

// Low: a draft of 2,000 cues and 200,000 sound segments (14 MB) parses
// in a moment, not in cues × segments steps; a draft over MaxDraftBytes
// is refused before parsing.
func TestLargeDraftIsBounded(t *testing.T) {
	text := bigDraft(2000, 200_000)
	require.Less(t, len(text), MaxDraftBytes)
	start := time.Now()
	assets, err := Parse("draft_content.json", []byte(text), ParseOptions{})
	took := time.Since(start)
	require.NoError(t, err)
	require.Len(t, assets[0].Elements, 2000, "one element per labelled cue")
	// About 1 s of CPU here (most of it JSON); the bound only catches a
	// return to cues × segments (the machine may be shared and slow).
	assert.Less(t, took, 20*time.Second, "parsed in %s", took)
	t.Logf("2,000 cues × 200,000 sounds (%d MB): %s", len(text)>>20, took)

	over := `{"id":"x","tracks":[],"materials":{"texts":[]},"pad":"` + strings.Repeat("x", MaxDraftBytes) + `"}`
	start = time.Now()
	_, err = Parse("draft_content.json", []byte(over), ParseOptions{})
	assert.ErrorIs(t, err, ErrLimit)
	assert.ErrorContains(t, err, "a draft timeline of")
	assert.Less(t, time.Since(start), 2*time.Second)
}
