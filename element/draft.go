package element

import (
	"bytes"
	"elib/internal/i18n/msg"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// 剪映 / CapCut drafts (SPEC §2 item 5). A draft is a folder holding
// draft_content.json (剪映) or draft_info.json (CapCut): tracks of segments
// that point at materials by id, times in microseconds. Text segments become
// cues; the rest of the timeline gives element attributes.

// DraftFiles are the names of a draft's timeline file, in the order a draft
// folder is searched.
var DraftFiles = []string{"draft_content.json", "draft_info.json"}

// ErrEncryptedDraft reports a draft whose timeline is not JSON: 剪映 6 and
// later encrypt draft_content.json. elib never decrypts it.
var ErrEncryptedDraft = msg.New("encrypted 剪映 draft (剪映 6+ encrypts draft_content.json; elib does not decrypt it): export the subtitles as SRT (导出 → 字幕) or export the video and import that file instead")

// DraftFile returns the timeline file of the draft folder dir, or "" when
// dir is not a draft folder.
func DraftFile(dir string) string {
	for _, n := range DraftFiles {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// isDraftName reports whether path is named like a draft timeline file.
func isDraftName(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	for _, n := range DraftFiles {
		if base == n {
			return true
		}
	}
	return false
}

// looksLikeJSON reports whether data starts (after a BOM and white space)
// like a JSON object or array, or is UTF-16 text (decoded later).
func looksLikeJSON(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return true
	}
	d := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), " \t\r\n")
	return len(d) > 0 && (d[0] == '{' || d[0] == '[')
}

// looksLikeDraft reports whether JSON text is a draft timeline: an object
// with "tracks" and "materials" at its top level.
func looksLikeDraft(text string) bool {
	t := strings.TrimLeft(strings.TrimPrefix(text, "\uFEFF"), " \t\n")
	if !strings.HasPrefix(t, "{") || !strings.Contains(t, `"materials"`) || !strings.Contains(t, `"tracks"`) {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal([]byte(t), &top) != nil {
		return false
	}
	_, m := top["materials"]
	_, tr := top["tracks"]
	return m && tr
}

// The parts of a draft timeline elib reads. Numbers are float64 because
// versions write times as integers or floats.
type draftFile struct {
	Duration     float64 `json:"duration"`
	Name         string  `json:"name"`
	CanvasConfig struct {
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
	} `json:"canvas_config"`
	Materials struct {
		Texts       []draftText       `json:"texts"`
		Audios      []draftAudio      `json:"audios"`
		Transitions []draftTransition `json:"transitions"`
		Animations  []draftAnimations `json:"material_animations"`
	} `json:"materials"`
	Tracks []draftTrack `json:"tracks"`
}

type draftText struct {
	ID        string `json:"id"`
	Content   string `json:"content"`
	TextColor string `json:"text_color"`
}

type draftAudio struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type draftTransition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type draftAnimations struct {
	ID         string `json:"id"`
	Animations []struct {
		Name     string  `json:"name"`
		Type     string  `json:"type"`
		Start    float64 `json:"start"`
		Duration float64 `json:"duration"`
	} `json:"animations"`
}

type draftTrack struct {
	Type     string         `json:"type"`
	Segments []draftSegment `json:"segments"`
}

type draftSegment struct {
	ID                string   `json:"id"`
	MaterialID        string   `json:"material_id"`
	ExtraMaterialRefs []string `json:"extra_material_refs"`
	TargetTimerange   *struct {
		Start    float64 `json:"start"`
		Duration float64 `json:"duration"`
	} `json:"target_timerange"`
	CommonKeyframes []struct {
		PropertyType string `json:"property_type"`
		KeyframeList []struct {
			TimeOffset float64   `json:"time_offset"`
			Values     []float64 `json:"values"`
		} `json:"keyframe_list"`
	} `json:"common_keyframes"`
}

// timeRange returns the segment's [start, end) in ms.
func (s draftSegment) timeRange() (int64, int64, bool) {
	tr := s.TargetTimerange
	if tr == nil || tr.Start < 0 || tr.Duration < 0 || tr.Start > 1e13 || tr.Duration > 1e13 {
		return 0, 0, false
	}
	return usToMs(tr.Start), usToMs(tr.Start + tr.Duration), true
}

func usToMs(us float64) int64 { return int64(math.Round(us / 1000)) }

// span is a time range [start, end) in ms carrying one attribute value.
type span struct {
	start, end int64
	value      string
}

// draft parses a draft timeline into one asset: text segments are cues (in
// time order, coloured by their fill), and camera, bgm, sfx and cuts are
// filled per element from the video and audio tracks.
func (p *parser) draft(text string) ([]Asset, error) {
	var d draftFile
	if err := json.Unmarshal([]byte(strings.TrimPrefix(text, "\uFEFF")), &d); err != nil {
		return nil, msg.Errorf("draft timeline is not valid JSON: %w", err)
	}
	tl, err := readTimeline(&d)
	if err != nil {
		return nil, err
	}
	assets, err := p.cuesAsset(tl.cues)
	if err != nil {
		return nil, err
	}
	a := &assets[0]
	a.Title = strings.TrimSpace(d.Name)
	a.Meta = map[string]any{}
	if d.Duration > 0 && d.Duration < 1e13 {
		a.Meta["duration_ms"] = usToMs(d.Duration)
	}
	if d.CanvasConfig.Width > 0 && d.CanvasConfig.Height > 0 {
		a.Meta["resolution"] = fmt.Sprintf("%dx%d", int(d.CanvasConfig.Width), int(d.CanvasConfig.Height))
	}
	tl.attribute(a.Elements)
	return assets, nil
}

// timeline is what a draft's tracks hold for its elements: the text
// track's cues (sorted by start) and the spans of background music, sound
// effects and camera moves, and the cuts of the main video track.
type timeline struct {
	cues             []cue
	camera, bgm, sfx []span
	cuts             []int64
	hasVideo         bool
}

// readTimeline walks d's tracks into a timeline. A text segment whose
// material is missing is an error; a draft without text segments or copy
// text too.
func readTimeline(d *draftFile) (*timeline, error) {
	texts := map[string]draftText{}
	for _, t := range d.Materials.Texts {
		texts[t.ID] = t
	}
	audios := map[string]draftAudio{}
	for _, a := range d.Materials.Audios {
		audios[a.ID] = a
	}
	anims := map[string]draftAnimations{}
	for _, a := range d.Materials.Animations {
		anims[a.ID] = a
	}
	tl := &timeline{}
	textSegments := 0
	mainVideo := firstTrack(d.Tracks, "video")
	tl.hasVideo = mainVideo >= 0
	for ti, tr := range d.Tracks {
		for si, seg := range tr.Segments {
			start, end, ok := seg.timeRange()
			where := fmt.Sprintf("track %d (%s) segment %d", ti+1, tr.Type, si+1)
			switch tr.Type {
			case "text":
				textSegments++
				m, found := texts[seg.MaterialID]
				if !found {
					return nil, msg.Errorf("draft is missing materials: %s points at text material %q, which materials.texts does not hold", where, seg.MaterialID)
				}
				if !ok {
					return nil, msg.Errorf("%s: missing or negative target_timerange", where)
				}
				if c, ok := textCue(m, start, end); ok {
					tl.cues = append(tl.cues, c)
				}
			case "audio":
				a, found := audios[seg.MaterialID]
				if !found {
					return nil, msg.Errorf("draft is missing materials: %s points at audio material %q, which materials.audios does not hold", where, seg.MaterialID)
				}
				if ok {
					tl.addAudio(a, start, end)
				}
			case "video":
				if !ok {
					continue
				}
				if si > 0 && ti == mainVideo {
					tl.cuts = append(tl.cuts, start)
				}
				tl.camera = append(tl.camera, segmentCamera(seg, start, end, anims)...)
			}
		}
	}
	if textSegments == 0 {
		return nil, msg.New("draft has no text track segments: no copy text to import (add subtitles in the draft, or import the exported video)")
	}
	if len(tl.cues) == 0 {
		return nil, ErrEmpty
	}
	sort.SliceStable(tl.cues, func(i, j int) bool { return tl.cues[i].startMs < tl.cues[j].startMs })
	slices.Sort(tl.cuts)
	return tl, nil
}

// textCue is the cue of a text segment, false when its text is blank.
func textCue(m draftText, start, end int64) (cue, bool) {
	body, col := draftTextContent(m)
	if strings.TrimSpace(body) == "" {
		return cue{}, false
	}
	c := cue{startMs: start, endMs: end, text: body}
	if col != "" {
		c.attrs = map[string]any{AttrSubtitleColor: col}
	}
	return c, true
}

// addAudio records an audio segment as a sound effect or background
// music (voice-over and speech are neither).
func (tl *timeline) addAudio(a draftAudio, start, end int64) {
	if strings.TrimSpace(a.Name) == "" {
		return
	}
	switch a.Type {
	case "sound":
		tl.sfx = append(tl.sfx, span{start, end, a.Name})
	case "record", "text_to_audio", "video_original_sound":
		// Voice-over and speech are not background music.
	default:
		tl.bgm = append(tl.bgm, span{start, end, a.Name})
	}
}

// attribute gives each timed element the music, sound effect and camera
// move that overlap it the longest and the cuts inside it, unless it
// carries them already.
func (tl *timeline) attribute(elements []Element) {
	bgmIdx, sfxIdx, camIdx := newSpanIndex(tl.bgm), newSpanIndex(tl.sfx), newSpanIndex(tl.camera)
	for i := range elements {
		e := &elements[i]
		if e.StartMs == nil || e.EndMs == nil {
			continue
		}
		s, t := *e.StartMs, *e.EndMs
		set := func(k string, v any) {
			if e.Attributes == nil {
				e.Attributes = map[string]any{}
			}
			if _, has := e.Attributes[k]; !has {
				e.Attributes[k] = v
			}
		}
		if v := bgmIdx.dominant(s, t); v != "" {
			set(AttrBGM, v)
		}
		if v := sfxIdx.dominant(s, t); v != "" {
			set(AttrSFX, v)
		}
		if tl.hasVideo {
			cam := camIdx.dominant(s, t)
			if cam == "" {
				cam = CameraStatic
			}
			set(AttrCamera, cam)
			// Cuts strictly inside (s, t).
			lo, _ := slices.BinarySearch(tl.cuts, s+1)
			hi, _ := slices.BinarySearch(tl.cuts, t)
			set(AttrCuts, max(0, hi-lo))
		}
	}
}

func firstTrack(tracks []draftTrack, typ string) int {
	for i, t := range tracks {
		if t.Type == typ {
			return i
		}
	}
	return -1
}

// spanIndex answers dominant (the value of the spans that overlap [s, t)
// the longest) for many ranges without reading every span
// for each (a draft of 100,000 segments and 100,000 cues is not 10^10
// steps): spans sorted by start, with the running maximum of their ends.
type spanIndex struct {
	spans  []span
	order  []int   // span indexes sorted by start
	maxEnd []int64 // maxEnd[i]: the largest end among order[:i+1]
	hits   []int   // scratch
}

func newSpanIndex(spans []span) *spanIndex {
	x := &spanIndex{spans: spans, order: make([]int, len(spans)), maxEnd: make([]int64, len(spans))}
	for i := range x.order {
		x.order[i] = i
	}
	sort.SliceStable(x.order, func(i, j int) bool { return spans[x.order[i]].start < spans[x.order[j]].start })
	for i, k := range x.order {
		x.maxEnd[i] = spans[k].end
		if i > 0 {
			x.maxEnd[i] = max(x.maxEnd[i], x.maxEnd[i-1])
		}
	}
	return x
}

// dominant is the value covering most of [s, t) (see the function
// dominant); it reads only the spans that can overlap the range, in
// their original order so ties resolve as before.
func (x *spanIndex) dominant(s, t int64) string {
	// Spans starting at or after t cannot overlap.
	hi := sort.Search(len(x.order), func(i int) bool { return x.spans[x.order[i]].start >= t })
	x.hits = x.hits[:0]
	for i := hi - 1; i >= 0; i-- {
		// No span at or before i reaches into the range (a zero-length
		// span at s still counts: ends >= s).
		if x.maxEnd[i] < s {
			break
		}
		x.hits = append(x.hits, x.order[i])
	}
	sort.Ints(x.hits)
	total := map[string]int64{}
	best := ""
	for _, k := range x.hits {
		sp := x.spans[k]
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

// Camera movement values (SPEC §2 item 6).
const (
	CameraPushIn   = "推近"
	CameraPullOut  = "拉远"
	CameraPanLeft  = "左摇"
	CameraPanRight = "右摇"
	CameraTiltUp   = "上摇"
	CameraTiltDown = "下摇"
	CameraStatic   = "固定"
	CameraHandheld = "晃动"
)

// keyframeEpsilon is the smallest scale or position change (in the draft's
// units: scale factor, half canvases) read as a camera movement.
const keyframeEpsilon = 0.02

// segmentCamera reads camera movement from a video segment's scale and
// position keyframes (over the keyframes' time range) and from its intro,
// outro and group animations (over theirs). In a draft, position x grows to
// the right and y upwards, in units of half the canvas; content moving right
// is the camera panning left.
func segmentCamera(seg draftSegment, start, end int64, anims map[string]draftAnimations) []span {
	var out []span
	type series struct{ first, last, t0, t1 float64 }
	kf := map[string]*series{}
	for _, k := range seg.CommonKeyframes {
		var s *series
		for _, f := range k.KeyframeList {
			if len(f.Values) == 0 || math.IsNaN(f.Values[0]) || math.IsInf(f.Values[0], 0) {
				continue
			}
			if s == nil {
				s = &series{first: f.Values[0], t0: f.TimeOffset, t1: f.TimeOffset}
			}
			s.last = f.Values[0]
			s.t0, s.t1 = math.Min(s.t0, f.TimeOffset), math.Max(s.t1, f.TimeOffset)
		}
		if s != nil {
			kf[k.PropertyType] = s
		}
	}
	delta := func(names ...string) (float64, *series) {
		for _, n := range names {
			if s, ok := kf[n]; ok {
				return s.last - s.first, s
			}
		}
		return 0, nil
	}
	ds, ss := delta("KFTypeScaleX", "UNIFORM_SCALE", "KFTypeScaleY")
	dx, sx := delta("KFTypePositionX")
	dy, sy := delta("KFTypePositionY")
	var (
		move string
		over *series
	)
	switch {
	case math.Abs(ds) >= keyframeEpsilon && math.Abs(ds) >= math.Abs(dx) && math.Abs(ds) >= math.Abs(dy):
		move, over = CameraPullOut, ss
		if ds > 0 {
			move = CameraPushIn
		}
	case math.Abs(dx) >= keyframeEpsilon && math.Abs(dx) >= math.Abs(dy):
		move, over = CameraPanRight, sx
		if dx > 0 {
			move = CameraPanLeft
		}
	case math.Abs(dy) >= keyframeEpsilon:
		move, over = CameraTiltUp, sy
		if dy > 0 {
			move = CameraTiltDown
		}
	}
	if move != "" {
		s := start + usToMs(over.t0)
		t := start + usToMs(over.t1)
		if t <= s {
			s, t = start, end
		}
		out = append(out, span{min(s, end), min(t, end), move})
	}
	for _, ref := range seg.ExtraMaterialRefs {
		a, ok := anims[ref]
		if !ok {
			continue
		}
		for _, an := range a.Animations {
			move := animationCamera(an.Name)
			if move == "" || an.Start < 0 || an.Duration <= 0 || an.Start > 1e13 || an.Duration > 1e13 {
				continue
			}
			s := start + usToMs(an.Start)
			t := s + usToMs(an.Duration)
			out = append(out, span{min(s, end), min(t, end), move})
		}
	}
	return out
}

// animationCamera maps an intro/outro/group animation name to the camera
// movement it shows ("" for fades and effects that do not move the frame).
// "向左滑动" moves the picture left, which reads as the camera panning right.
func animationCamera(name string) string {
	switch {
	case strings.Contains(name, "抖"), strings.Contains(name, "晃"), strings.Contains(name, "摇摆"):
		return CameraHandheld
	case strings.Contains(name, "放大"), strings.Contains(name, "拉近"), strings.Contains(name, "推近"), strings.Contains(strings.ToLower(name), "zoom in"):
		return CameraPushIn
	case strings.Contains(name, "缩小"), strings.Contains(name, "拉远"), strings.Contains(strings.ToLower(name), "zoom out"):
		return CameraPullOut
	case strings.Contains(name, "向左"), strings.Contains(name, "左移"):
		return CameraPanRight
	case strings.Contains(name, "向右"), strings.Contains(name, "右移"):
		return CameraPanLeft
	case strings.Contains(name, "向上"), strings.Contains(name, "上移"):
		return CameraTiltDown
	case strings.Contains(name, "向下"), strings.Contains(name, "下移"):
		return CameraTiltUp
	}
	return ""
}

var (
	fontTagRe  = regexp.MustCompile(`<[^<>]{0,512}>`)
	colorTagRe = regexp.MustCompile(`<color=\(\s*([0-9.]+)\s*,\s*([0-9.]+)\s*,\s*([0-9.]+)`)
)

// draftTextContent returns a text material's copy and fill colour. 5.x
// content is JSON {"text", "styles":[{"range":[a,b],"fill":{"content":
// {"solid":{"color":[r,g,b]}}}}]} (0–1 floats, ranges in UTF-16 units; the
// colour covering most of the text wins); 3.x content is font markup
// <font …><color=(r,g,b,a)><size=…>[TEXT]</size></color></font>.
func draftTextContent(m draftText) (string, string) {
	c := strings.TrimSpace(m.Content)
	if strings.HasPrefix(c, "{") {
		var v struct {
			Text   string `json:"text"`
			Styles []struct {
				Range []int `json:"range"`
				Fill  struct {
					Content struct {
						Solid struct {
							Color []float64 `json:"color"`
						} `json:"solid"`
					} `json:"content"`
				} `json:"fill"`
			} `json:"styles"`
		}
		if json.Unmarshal([]byte(c), &v) == nil {
			n := len(utf16.Encode([]rune(v.Text)))
			best, bestLen := "", -1
			for _, s := range v.Styles {
				col, ok := rgbFloat(s.Fill.Content.Solid.Color)
				if !ok {
					continue
				}
				l := n
				if len(s.Range) == 2 {
					l = min(s.Range[1], n) - max(s.Range[0], 0)
				}
				if l > bestLen {
					best, bestLen = col, l
				}
			}
			if best == "" {
				best = hexColor(m.TextColor)
			}
			return v.Text, best
		}
	}
	col := ""
	if mm := colorTagRe.FindStringSubmatch(c); mm != nil {
		var f [3]float64
		ok := true
		for i := range f {
			x, err := strconv.ParseFloat(mm[i+1], 64)
			f[i], ok = x, ok && err == nil
		}
		if ok {
			col, _ = rgbFloat(f[:])
		}
	}
	if col == "" {
		col = hexColor(m.TextColor)
	}
	body := c
	if strings.Contains(c, "<") {
		body = fontTagRe.ReplaceAllString(c, "")
		// 3.x wraps the text in brackets inside the markup: <size=…>[TEXT]</size>.
		if strings.Contains(c, "<size=") && strings.HasPrefix(body, "[") && strings.HasSuffix(body, "]") {
			body = body[1 : len(body)-1]
		}
	}
	return body, col
}

// rgbFloat converts 0–1 float channels to "#RRGGBB".
func rgbFloat(c []float64) (string, bool) {
	if len(c) < 3 {
		return "", false
	}
	var b [3]int
	for i := 0; i < 3; i++ {
		if math.IsNaN(c[i]) || c[i] < 0 || c[i] > 1.0001 {
			return "", false
		}
		b[i] = int(math.Round(math.Min(c[i], 1) * 255))
	}
	return fmt.Sprintf("#%02X%02X%02X", b[0], b[1], b[2]), true
}

// hexColor normalises a "#rrggbb" material colour, "" when it is not one.
func hexColor(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 7 || s[0] != '#' {
		return ""
	}
	if _, err := strconv.ParseUint(s[1:], 16, 32); err != nil {
		return ""
	}
	return strings.ToUpper(s)
}
