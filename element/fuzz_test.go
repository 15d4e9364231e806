package element

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"elib/element/decode"
)

// addLibrarySeeds seeds f with the dev library files of the given
// extensions when the shared dev set is present.
func addLibrarySeeds(f *testing.F, exts ...string) {
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
