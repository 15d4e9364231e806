package classify

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Type names produced by the classifier, in the order a script usually runs.
const (
	Hook        = "hook"
	Conflict    = "conflict"
	Story       = "story"
	Testimonial = "testimonial"
	Conversion  = "conversion"
)

// states is the left-to-right order the Viterbi pass enforces (softly).
var states = [...]string{Hook, Conflict, Story, Testimonial, Conversion}

const nStates = len(states)

//go:embed cues.tsv
var cuesTSV string

// Unit is one piece of text to place: a sentence or a subtitle cue.
type Unit struct {
	// Text is the unit's copy text.
	Text string
	// HasTime reports whether StartMs/EndMs are known.
	HasTime bool
	// StartMs and EndMs are the unit's time range.
	StartMs, EndMs int64
}

type cue struct {
	text   string
	state  int
	weight float64
}

// Model is a cue lexicon plus priors. It is immutable and safe for
// concurrent use.
type Model struct {
	cues []cue
	// Template slot ends in ms for hook, conflict, testimonial (SPEC §2).
	hookEndMs, conflictEndMs, testimonialEndMs int64
}

// Default returns the model built from the embedded cue lexicon.
var Default = sync.OnceValue(func() *Model {
	m, err := NewModel(cuesTSV)
	if err != nil {
		panic(fmt.Sprintf("classify: embedded cues.tsv: %v", err))
	}
	return m
})

// NewModel builds a model from a cue lexicon in the cues.tsv format
// ("type<TAB>cue<TAB>weight" per line, '#' comments).
func NewModel(lexicon string) (*Model, error) {
	m := &Model{hookEndMs: 3000, conflictEndMs: 11000, testimonialEndMs: 26000}
	for i, line := range strings.Split(lexicon, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want 3 tab-separated fields, got %d", i+1, len(f))
		}
		st := stateIndex(f[0])
		if st < 0 {
			return nil, fmt.Errorf("line %d: unknown type %q", i+1, f[0])
		}
		w, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: weight: %w", i+1, err)
		}
		if f[1] == "" {
			return nil, fmt.Errorf("line %d: empty cue", i+1)
		}
		m.cues = append(m.cues, cue{text: strings.ToLower(f[1]), state: st, weight: w})
	}
	return m, nil
}

func stateIndex(name string) int {
	for i, s := range states {
		if s == name {
			return i
		}
	}
	return -1
}

func (m *Model) cueScores(lower string, sc *[nStates]float64) {
	for _, c := range m.cues {
		if strings.Contains(lower, c.text) {
			sc[c.state] += c.weight
		}
	}
}

// Label returns one type name per unit.
func (m *Model) Label(units []Unit) []string {
	n := len(units)
	if n == 0 {
		return nil
	}
	em := m.emissions(units)
	// Viterbi over the left-to-right chain.
	score := make([][nStates]float64, n)
	back := make([][nStates]int, n)
	for s := 0; s < nStates; s++ {
		score[0][s] = em[0][s] + startPenalty(s)
	}
	for i := 1; i < n; i++ {
		// Element boundaries fall at sentence ends: changing type after a
		// unit that ends mid-sentence ("，") needs strong evidence.
		midSentence := endsMidSentence(units[i-1].Text)
		for s := 0; s < nStates; s++ {
			best, arg := math.Inf(-1), 0
			for p := 0; p < nStates; p++ {
				v := score[i-1][p] + transition(p, s)
				if p != s && midSentence {
					v -= 2.5
				}
				if v > best {
					best, arg = v, p
				}
			}
			score[i][s] = best + em[i][s]
			back[i][s] = arg
		}
	}
	best, arg := math.Inf(-1), 0
	for s := 0; s < nStates; s++ {
		v := score[n-1][s] + endPenalty(s, n)
		if v > best {
			best, arg = v, s
		}
	}
	out := make([]string, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = states[arg]
		arg = back[i][arg]
	}
	return out
}

// endsMidSentence reports a unit whose last character continues the
// sentence into the next unit (comma, enumeration comma, colon).
func endsMidSentence(text string) bool {
	t := strings.TrimSpace(text)
	r, _ := utf8.DecodeLastRuneInString(t)
	switch r {
	case '，', ',', '、', '：', ':', '—':
		return true
	}
	return false
}

// startPenalty: a script starts with its hook.
func startPenalty(s int) float64 {
	if s == 0 {
		return 0
	}
	return -4
}

// endPenalty: a script ends with its call to action when it has more than
// a couple of units.
func endPenalty(s, n int) float64 {
	if n < 3 || s == nStates-1 {
		return 0
	}
	return -2
}

// transition scores moving from state p to s: staying is free, moving on
// costs a little (so a change needs evidence), skipping a slot costs more
// (story is optional and skipped for free), going back is rare.
func transition(p, s int) float64 {
	switch {
	case s == p:
		return 0
	case s > p:
		cost := -1.0
		for k := p + 1; k < s; k++ {
			if states[k] != Story {
				cost -= 1.5
			}
		}
		return cost
	default:
		return -8
	}
}

// emissions combines cue evidence with position, time and shape priors.
func (m *Model) emissions(units []Unit) [][nStates]float64 {
	n := len(units)
	lens := make([]int, n)
	total := 0
	for i, u := range units {
		lens[i] = countable(u.Text)
		total += lens[i]
	}
	if total == 0 {
		total = 1
	}
	em := make([][nStates]float64, n)
	var totalMs int64
	for _, u := range units {
		if u.HasTime && u.EndMs > totalMs {
			totalMs = u.EndMs
		}
	}
	slots, story := m.timeTemplate(totalMs)
	pos := 0
	for i, u := range units {
		lower := strings.ToLower(u.Text)
		m.cueScores(lower, &em[i])
		mid := (float64(pos) + float64(lens[i])/2) / float64(total)
		pos += lens[i]
		if u.HasTime {
			timePrior(u, slots, story, &em[i])
		} else {
			positionPrior(mid, &em[i])
		}
		if i == 0 {
			em[i][0] += 2
		}
		if i == n-1 && n >= 3 {
			em[i][nStates-1] += 1
		}
		narrativePrior(u.Text, lens[i], &em[i])
	}
	return em
}

// positionPrior: the template's shares of a ~60 s script by relative
// character position (hook ≈ first 8 %, conflict to ≈ 25 %, testimonial to
// ≈ 65 %, conversion the rest; a story sits in the middle).
func positionPrior(mid float64, sc *[nStates]float64) {
	ranges := [nStates][2]float64{{0, 0.08}, {0.06, 0.3}, {0.15, 0.7}, {0.25, 0.7}, {0.6, 1}}
	for s, r := range ranges {
		d := 0.0
		if mid < r[0] {
			d = r[0] - mid
		} else if mid > r[1] {
			d = mid - r[1]
		}
		sc[s] -= math.Min(8*d, 3)
	}
}

// timeTemplate returns the slots [start, end) in ms of the SPEC §2 time
// template for an asset lasting totalMs: hook 3 s, conflict 8 s, testimonial
// 15 s, conversion the rest. A script much longer than the template's
// ~56 s (hook+conflict+testimonial+a 30 s conversion) carries a story
// (~60 s) after the conflict; the testimonial and conversion slots then
// shift by the story's length.
func (m *Model) timeTemplate(totalMs int64) (slots [nStates][2]float64, story bool) {
	const typicalMs = 56000
	storyMs := float64(totalMs - typicalMs)
	if storyMs < 15000 {
		storyMs = 0
	}
	h, c, t := float64(m.hookEndMs), float64(m.conflictEndMs), float64(m.testimonialEndMs)
	slots = [nStates][2]float64{
		{0, h},
		{h, c},
		{c, c + storyMs},
		{c + storyMs, t + storyMs},
		{t + storyMs, math.Inf(1)},
	}
	return slots, storyMs > 0
}

// timePrior rewards a unit whose midpoint falls in a type's template slot
// and penalises it by distance outside. Without a story slot, story gets a
// flat penalty: only cue words can place one.
func timePrior(u Unit, slots [nStates][2]float64, story bool, sc *[nStates]float64) {
	mid := float64(u.StartMs+u.EndMs) / 2
	for s, r := range slots {
		if states[s] == Story && !story {
			sc[s] -= 1
			continue
		}
		d := 0.0
		if mid < r[0] {
			d = r[0] - mid
		} else if mid > r[1] {
			d = mid - r[1]
		}
		if d == 0 {
			sc[s] += 1.5
		}
		sc[s] -= math.Min(d/1000*0.3, 3)
	}
}

// narrativePrior favours story for long first-person narrative sentences.
func narrativePrior(text string, n int, sc *[nStates]float64) {
	st := 0.0
	if strings.Contains(text, "我") {
		st += 0.5
	}
	if strings.Contains(text, "了") {
		st += 0.3
	}
	if n > 40 {
		st += 0.5
	}
	if n < 8 {
		st -= 1
	}
	sc[2] += st - 1.2 // a story must be earned by cue words
}

func countable(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	if n == 0 {
		return utf8.RuneCountInString(s)
	}
	return n
}
