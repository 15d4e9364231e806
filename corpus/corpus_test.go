package corpus

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleElement is one element as this test's own light-weight reader sees
// it; the real parsers live in package element and are not used here.
type sampleElement struct {
	typ  string
	text string
}

// sampleAsset is one asset of the sample library.
type sampleAsset struct {
	id       string
	category string
	elements []sampleElement
}

var (
	labelRe = regexp.MustCompile(`^\s*(?:【(钩子|冲突|证言|转化|故事)】|\[(?i:(hook|conflict|testimonial|conversion|story))\]|#{1,6}\s*(钩子|冲突|证言|转化|故事)(?:\s|$|[（(]))`)
	// annotationRe matches inline attribute annotations (SPEC §2).
	annotationRe = regexp.MustCompile(`[（(\[{](?i:镜头|camera|bgm|bpm|字幕色|字幕|color|音效|sfx|画面|shot)[^）)\]}]*[）)\]}]`)
	// timeRangeRe matches a time range right after a label.
	timeRangeRe = regexp.MustCompile(`^\s*[（(]?\s*\d[\d:.sS]*\s*[-–~]\s*\d[\d:.sS]*\s*[)）]?`)
	srtTimeRe   = regexp.MustCompile(`^\d\d:\d\d:\d\d[,.]\d{3} --> \d\d:\d\d:\d\d[,.]\d{3}$`)
)

var typeNames = map[string]string{
	"钩子": "hook", "冲突": "conflict", "证言": "testimonial", "转化": "conversion", "故事": "story",
	"hook": "hook", "conflict": "conflict", "testimonial": "testimonial", "conversion": "conversion", "story": "story",
}

// labelOf returns the element type a line's label names and the rest of the
// line after the label and an optional time range.
func labelOf(line string) (typ, rest string, ok bool) {
	m := labelRe.FindStringSubmatchIndex(line)
	if m == nil {
		return "", "", false
	}
	for g := 1; g <= 3; g++ {
		if m[2*g] >= 0 {
			typ = typeNames[strings.ToLower(line[m[2*g]:m[2*g+1]])]
		}
	}
	rest = line[m[1]:]
	if strings.HasPrefix(line[m[0]:m[1]], "#") {
		rest = line[m[7]:]
	}
	rest = timeRangeRe.ReplaceAllString(rest, "")
	return typ, strings.TrimSpace(rest), true
}

// readLabelled reads a labelled script: every label line starts an element;
// with mergeSame, consecutive labels of one type continue the same element
// (labelled subtitle cues).
func readLabelled(lines []string, mergeSame bool) []sampleElement {
	var els []sampleElement
	for _, line := range lines {
		if typ, rest, ok := labelOf(line); ok {
			if mergeSame && len(els) > 0 && els[len(els)-1].typ == typ {
				els[len(els)-1].text += "\n" + rest
				continue
			}
			els = append(els, sampleElement{typ: typ, text: rest})
			continue
		}
		if len(els) > 0 && strings.TrimSpace(line) != "" {
			els[len(els)-1].text += "\n" + strings.TrimSpace(line)
		}
	}
	for i := range els {
		els[i].text = strings.TrimSpace(annotationRe.ReplaceAllString(els[i].text, ""))
	}
	return els
}

// srtCueLines returns the text lines of an SRT file (cue numbers and
// timecodes removed).
func srtCueLines(t *testing.T, name, text string) []string {
	var out []string
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		switch {
		case srtTimeRe.MatchString(line):
			require.Positive(t, i, "%s: timecode without cue number", name)
		case strings.TrimSpace(line) == "":
		case i+1 < len(lines) && srtTimeRe.MatchString(lines[i+1]):
			// cue number
		default:
			out = append(out, line)
		}
	}
	return out
}

// loadSample reads every asset of the embedded library with the test's own
// reader.
func loadSample(t *testing.T) []sampleAsset {
	t.Helper()
	var assets []sampleAsset
	err := fs.WalkDir(Library(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(Library(), p)
		require.NoError(t, err)
		text := string(data)
		category := strings.SplitN(p, "/", 2)[0]
		switch path.Ext(p) {
		case ".md", ".txt":
			assets = append(assets, sampleAsset{id: p, category: category,
				elements: readLabelled(strings.Split(text, "\n"), false)})
		case ".srt":
			assets = append(assets, sampleAsset{id: p, category: category,
				elements: readLabelled(srtCueLines(t, p, text), true)})
		case ".jsonl":
			for n, line := range strings.Split(strings.TrimSpace(text), "\n") {
				var a struct {
					ID       string         `json:"id"`
					Meta     map[string]any `json:"meta"`
					Elements []struct {
						Type, Text string
					} `json:"elements"`
				}
				require.NoError(t, json.Unmarshal([]byte(line), &a), "%s:%d", p, n+1)
				assert.NotEmpty(t, a.ID, "%s:%d id", p, n+1)
				for _, k := range []string{"campaign", "platform", "product", "plays", "created"} {
					assert.Contains(t, a.Meta, k, "%s:%d meta", p, n+1)
				}
				sa := sampleAsset{id: a.ID, category: category}
				for _, e := range a.Elements {
					sa.elements = append(sa.elements, sampleElement{typ: typeNames[e.Type], text: e.Text})
				}
				assets = append(assets, sa)
			}
		case ".csv":
			rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
			require.NoError(t, err, p)
			require.NotEmpty(t, rows, p)
			require.Equal(t, []string{"素材ID", "标题", "元件类型", "文案", "开始", "结束", "镜头", "BPM", "字幕色", "投放平台"}, rows[0], p)
			index := map[string]int{}
			for _, r := range rows[1:] {
				i, seen := index[r[0]]
				if !seen {
					i = len(assets)
					index[r[0]] = i
					assets = append(assets, sampleAsset{id: r[0], category: category})
				}
				assets[i].elements = append(assets[i].elements, sampleElement{typ: typeNames[r[2]], text: r[3]})
			}
		default:
			t.Errorf("unexpected file in library: %s", p)
		}
		return nil
	})
	require.NoError(t, err)
	return assets
}

func TestLibraryFilesAreCleanUTF8(t *testing.T) {
	n := 0
	err := fs.WalkDir(Library(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		data, err := fs.ReadFile(Library(), p)
		require.NoError(t, err)
		assert.True(t, utf8.Valid(data), "%s: invalid UTF-8", p)
		assert.False(t, bytes.HasPrefix(data, []byte("\xef\xbb\xbf")), "%s: BOM", p)
		assert.NotContains(t, string(data), "\r", "%s: CR line ending", p)
		assert.True(t, bytes.HasSuffix(data, []byte("\n")), "%s: no final newline", p)
		return nil
	})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 45, "library files")
}

func TestLibrarySize(t *testing.T) {
	assets := loadSample(t)
	assert.GreaterOrEqual(t, len(assets), 45, "scripts")

	elements, stories := 0, 0
	categories := map[string]bool{}
	byFormat := map[string]int{}
	for _, a := range assets {
		elements += len(a.elements)
		if a.category != "exports" {
			categories[a.category] = true
		}
		byFormat[path.Ext(a.id)]++
		for _, e := range a.elements {
			if e.typ == "story" {
				stories++
			}
		}
	}
	t.Logf("%d scripts, %d elements (%d stories), %d categories, by format %v", len(assets), elements, stories, len(categories), byFormat)
	assert.GreaterOrEqual(t, elements, 220, "elements")
	assert.GreaterOrEqual(t, len(categories), 7, "category folders: %v", categories)
	assert.GreaterOrEqual(t, stories, len(assets)/4, "about a third of the scripts carry a story")
	assert.GreaterOrEqual(t, byFormat[".srt"], 3, "labelled subtitle files")
	assert.GreaterOrEqual(t, byFormat[".md"]+byFormat[".txt"], 30, "labelled scripts")
}

func TestLibraryElementShape(t *testing.T) {
	allow := Allowlist()
	// Rough length bands in countable characters (SPEC §1 durations),
	// allowlisted boilerplate excluded; generous so the test guards against
	// broken parsing and lost text, not against editorial taste.
	bands := map[string][2]int{
		"hook": {8, 30}, "conflict": {25, 70}, "testimonial": {40, 100},
		"conversion": {30, 95}, "story": {100, 240},
	}
	for _, a := range loadSample(t) {
		t.Run(a.id, func(t *testing.T) {
			require.GreaterOrEqual(t, len(a.elements), 4)
			assert.Equal(t, "hook", a.elements[0].typ)
			assert.Equal(t, "conflict", a.elements[1].typ)
			assert.Equal(t, "conversion", a.elements[len(a.elements)-1].typ)
			seen := map[string]bool{}
			for _, e := range a.elements {
				require.Contains(t, bands, e.typ)
				assert.False(t, seen[e.typ], "type %s twice", e.typ)
				seen[e.typ] = true
				n := countable(stripPhrases(e.text, allow))
				assert.GreaterOrEqual(t, n, bands[e.typ][0], "%s too short: %q", e.typ, e.text)
				assert.LessOrEqual(t, n, bands[e.typ][1], "%s too long: %q", e.typ, e.text)
			}
			assert.True(t, seen["testimonial"], "no testimonial")
		})
	}
}

func TestAllowlist(t *testing.T) {
	allow := Allowlist()
	require.NotEmpty(t, allow)
	assert.GreaterOrEqual(t, len(allow), 12, "5 disclaimers + one slogan per category")
	seen := map[string]bool{}
	for _, p := range allow {
		assert.Equal(t, strings.TrimSpace(p), p)
		assert.False(t, seen[p], "duplicate phrase %q", p)
		seen[p] = true
	}
	allow[0] = "mutated"
	assert.NotEqual(t, "mutated", Allowlist()[0], "Allowlist must return a fresh slice")

	conversions, endsWithBoilerplate := 0, 0
	for _, a := range loadSample(t) {
		for _, e := range a.elements {
			if e.typ != "conversion" {
				continue
			}
			conversions++
			for _, p := range allow {
				if strings.HasSuffix(e.text, p) {
					endsWithBoilerplate++
					break
				}
			}
		}
	}
	share := float64(endsWithBoilerplate) / float64(conversions)
	assert.InDelta(t, 0.30, share, 0.10, "share of conversions ending with boilerplate")
}

func TestParseLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"blank lines", "\n \n\t\n", nil},
		{"trim and skip", "  甲。 \n\n乙\r\n", []string{"甲。", "乙"}},
		{"bom", "\ufeff丙\n", []string{"丙"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseLines(tt.in))
		})
	}
}

// TestLibraryIsNotSelfDuplicated guards the sample's purpose: scripts must
// not share long runs of copy text (other than allowlisted boilerplate), or
// checks against the sample would report reuse that was never intended.
func TestLibraryIsNotSelfDuplicated(t *testing.T) {
	const run = 12 // Han characters
	allow := Allowlist()
	owner := map[string]string{}
	for _, a := range loadSample(t) {
		var sb strings.Builder
		for _, e := range a.elements {
			sb.WriteString(stripPhrases(e.text, allow))
		}
		han := []rune(hanOnly(sb.String()))
		for i := 0; i+run <= len(han); i++ {
			gram := string(han[i : i+run])
			if prev, ok := owner[gram]; ok && prev != a.id {
				t.Errorf("%s and %s share %q", prev, a.id, gram)
			}
			owner[gram] = a.id
		}
	}
}

func TestExamplesPresent(t *testing.T) {
	want := []string{"boilerplate-only.md", "collage.md", "creator-variant.md", "original.md", "repost.md", "traditional.md"}
	assert.Equal(t, want, ExampleScripts())
	readme, err := fs.ReadFile(Examples(), ExamplesReadme)
	require.NoError(t, err)
	for _, name := range want {
		data, err := fs.ReadFile(Examples(), name)
		require.NoError(t, err, name)
		assert.True(t, utf8.Valid(data), name)
		els := readLabelled(strings.Split(string(data), "\n"), false)
		assert.GreaterOrEqual(t, len(els), 4, "%s: labelled elements", name)
		assert.Contains(t, string(readme), name, "README documents %s", name)
	}
}

// TestExampleSources checks that each derived example really derives from the
// library file its README names (by long shared runs), and that the original
// ones share none.
func TestExampleSources(t *testing.T) {
	allow := Allowlist()
	lib := map[string]string{}
	for _, a := range loadSample(t) {
		var sb strings.Builder
		for _, e := range a.elements {
			sb.WriteString(stripPhrases(e.text, allow))
		}
		lib[a.id] = hanOnly(sb.String())
	}
	tests := []struct {
		example string
		sources []string
	}{
		{"original.md", nil},
		{"boilerplate-only.md", nil},
		{"repost.md", []string{"digital/earbuds-02.txt"}},
		{"creator-variant.md", []string{"baby/teether-05.txt"}},
		{"collage.md", []string{"bedding/sheets-03_四件套.txt", "cleaning/laundry-04_洗衣凝珠.md"}},
		// Many characters are the same in both scripts, so even the
		// Traditional version keeps long runs of its source.
		{"traditional.md", []string{"pet/dogleash-03_牵引绳.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.example, func(t *testing.T) {
			data, err := fs.ReadFile(Examples(), tt.example)
			require.NoError(t, err)
			var sb strings.Builder
			for _, e := range readLabelled(strings.Split(string(data), "\n"), false) {
				sb.WriteString(stripPhrases(e.text, allow))
			}
			ex := []rune(hanOnly(sb.String()))
			var got []string
			for id, text := range lib {
				for i := 0; i+20 <= len(ex); i++ {
					if strings.Contains(text, string(ex[i:i+20])) {
						got = append(got, id)
						break
					}
				}
			}
			assert.ElementsMatch(t, tt.sources, got)
		})
	}
}

func stripPhrases(s string, phrases []string) string {
	for _, p := range phrases {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}

func countable(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

func hanOnly(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// TestSampleAssets parses the sample with the real element parsers (Load in
// load.go) and compares the split with this test's own reader: same assets,
// same types, same copy text up to whitespace.
func TestSampleAssets(t *testing.T) {
	assets, err := SampleAssets()
	require.NoError(t, err)
	want := map[string]sampleAsset{}
	sample := loadSample(t)
	for _, a := range sample {
		want[a.id] = a
		// Load may name file assets by base name rather than library path.
		if base := path.Base(a.id); base != a.id {
			want[base] = a
		}
	}
	require.Len(t, assets, len(sample))
	squash := strings.NewReplacer("\n", "", " ", "")
	for _, a := range assets {
		w, ok := want[a.ID]
		if !assert.True(t, ok, "unexpected asset id %q", a.ID) {
			continue
		}
		require.Len(t, a.Elements, len(w.elements), a.ID)
		for i, e := range a.Elements {
			assert.Equal(t, w.elements[i].typ, string(e.Type), "%s #%d", a.ID, i)
			assert.Equal(t, squash.Replace(w.elements[i].text), squash.Replace(e.Text), "%s #%d", a.ID, i)
		}
	}
}
