package element

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"elib/element/decode"
	"elib/internal/devdata"
)

// addLibrarySeeds seeds f with the dev library files of the given
// extensions when the shared dev set is present.
func addLibrarySeeds(f *testing.F, exts ...string) {
	devDir, ok := devdata.Find("dev")
	if !ok {
		return
	}
	_ = filepath.WalkDir(filepath.Join(devDir, "library"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		for _, e := range exts {
			if strings.EqualFold(filepath.Ext(p), e) {
				if data, err := os.ReadFile(p); err == nil {
					f.Add(data)
				}
			}
		}
		return nil
	})
}

// fuzzParse checks that parsing never panics and that every parsed asset
// keeps the offset invariant.
func fuzzParse(t *testing.T, name string, data []byte) {
	assets, err := Parse(name, data, ParseOptions{MaxBytes: 1 << 20})
	if err != nil {
		if _, ok := err.(*ParseError); !ok {
			t.Fatalf("error is %T, want *ParseError: %v", err, err)
		}
		return
	}
	for _, a := range assets {
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		for _, e := range a.Elements {
			if strings.TrimSpace(e.Text) == "" {
				t.Fatalf("empty element in %q", a.ID)
			}
		}
	}
}

func FuzzParseScript(f *testing.F) {
	f.Add([]byte("# 标题\n【钩子】(0-3s)（镜头：推近）你好？\n【转化】点击链接[BGM 128bpm]\n"))
	f.Add([]byte("## hook 0s-3s\ntext\n\nplain sentence. another one!"))
	f.Add([]byte("没有标签的一段文字。第二句？最后点击链接下单。"))
	addLibrarySeeds(f, ".txt", ".md")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.txt", data) })
}

func FuzzParseSRT(f *testing.F) {
	f.Add([]byte("1\n00:00:00,000 --> 00:00:03,000\n【钩子】你好\n\n2\n00:00:03,000 --> 00:00:05,000\n点击链接\n"))
	f.Add([]byte("1\n00:00:01,000 --> 00:00:0\n"))
	addLibrarySeeds(f, ".srt")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.srt", data) })
}

func FuzzParseVTT(f *testing.F) {
	f.Add([]byte("WEBVTT\n\nNOTE x\n\n00:00.000 --> 00:03.000 align:start\n<v A>你好</v>\n"))
	f.Add([]byte("WEBVTT\n\nid\n00:00:00.000 --> 00:00:03.000\n[hook] hi\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.vtt", data) })
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"id":"a","title":"t","elements":[{"type":"hook","text":"你好","start_ms":0,"end_ms":3000,"attributes":{"bgm_bpm":120}}]}`))
	f.Add([]byte(`[{"id":"a","text":"你是不是？点击链接。"},{"id":2,"text":"x"}]`))
	addLibrarySeeds(f, ".jsonl")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzParse(t, "f.json", data)
		fuzzParse(t, "f.jsonl", data)
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("asset_id,type,text,start,end\nA,hook,你好,0,3\nA,,点击链接,3,30\n"))
	f.Add([]byte("素材ID,元件类型,文案\nX,钩子,\"多行\n文案\"\n"))
	addLibrarySeeds(f, ".csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzParse(t, "f.csv", data)
		fuzzParse(t, "f.tsv", data)
	})
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("hello\r\nworld"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0})
	f.Add([]byte{0xFE, 0xFF, 0xD8, 0x00})
	f.Add([]byte("\xc4\xe3\xba\xc3"))
	addLibrarySeeds(f, ".txt", ".csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _, err := decode.Text(data)
		if err != nil {
			return
		}
		if strings.Contains(s, "\r") {
			t.Fatal("CR left in decoded text")
		}
	})
}

// FuzzParseJSONMeta feeds the JSON asset parser deep and wide meta and
// attributes: whatever parses keeps within MaxMetaDepth and MaxMetaBytes,
// so the pretty-printed asset (what split and the API reply) stays linear
// in the input; what does not parse is a *ParseError naming a line.
func FuzzParseJSONMeta(f *testing.F) {
	deep := func(n int, open, close string) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	wide := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"k%d":[1,"v",{"x":null}]`, i)
		}
		b.WriteString("}")
		return b.String()
	}
	asset := func(meta, attrs string) []byte {
		return []byte(`{"id":"d","meta":` + meta + `,"elements":[{"type":"hook","text":"你好","attributes":` + attrs + `}]}`)
	}
	f.Add(asset(deep(7, `{"a":`, "}"), "{}"), 3)
	f.Add(asset(deep(8, `{"a":`, "}"), "{}"), 9)
	f.Add(asset(deep(9000, `{"a":`, "}"), "null"), 40)
	f.Add(asset(`{"a":`+deep(12, "[", "]")+`}`, "{}"), 2)
	f.Add(asset(wide(3000), wide(10)), 1)
	f.Add(asset(`{"s":"{{{{{{{{{{\"[[[["}`, deep(9, `{"b":`, "}")), 5)
	f.Fuzz(func(t *testing.T, data []byte, repeat int) {
		// repeat > 1 makes an array of that many copies: many assets, each
		// within the limits, in one input.
		if repeat > 1 && repeat <= 50 {
			parts := make([]string, repeat)
			for i := range parts {
				parts[i] = strings.Replace(string(data), `"id":"d"`, fmt.Sprintf(`"id":"d%d"`, i), 1)
			}
			data = []byte("[" + strings.Join(parts, ",\n") + "]")
		}
		fuzzParse(t, "f.json", data)
		assets, err := Parse("f.json", data, ParseOptions{MaxBytes: 8 << 20})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T: %v", err, err)
			}
			return
		}
		for _, a := range assets {
			if d := depthOf(a.Meta, 0); d > MaxMetaDepth {
				t.Fatalf("meta depth %d accepted", d)
			}
			for _, e := range a.Elements {
				if d := depthOf(e.Attributes, 0); d > MaxMetaDepth {
					t.Fatalf("attributes depth %d accepted", d)
				}
			}
			if b, _ := json.Marshal(a.Meta); len(b) > MaxMetaBytes {
				t.Fatalf("meta of %d bytes accepted", len(b))
			}
		}
		out, err := json.MarshalIndent(assets, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if len(out) > 32*len(data)+4096 {
			t.Fatalf("pretty-printed assets are %d bytes for %d bytes of input", len(out), len(data))
		}
	})
}
