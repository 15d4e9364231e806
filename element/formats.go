package element

import (
	"slices"
	"strings"
	"sync"
)

// InputFormat is one input format: its name, the file extensions that
// select it, what it recognises in another format's clothes, and its
// parser. Formats is the one table of them: detection by extension,
// Parse, the error naming what is accepted, `elib split|check|import`
// (--input-format, its help and completions), the server's uploads and
// README's list all read it, so a new format is one entry here and one
// parser file.
type InputFormat struct {
	// Name is what ParseOptions.Format, --input-format and a request's
	// "format" take.
	Name string
	// Aliases are other names ParseOptions.Format accepts ("markdown").
	Aliases []string
	// Extensions select the format by file name: lower case, with the
	// dot. A format without any is recognised otherwise (Sniff, or a
	// draft folder's layout).
	Extensions []string
	// Describe says in a few words what the format is (README, --help).
	Describe string
	// File marks a format read from a file by a registered FileParser
	// (video through ffmpeg): never sent as text (stdin, a request's
	// "text").
	File bool
	// Sniff, when set, claims text that arrived as format from (by
	// extension or name) as this format instead: a 剪映/CapCut timeline
	// in a .json file.
	Sniff func(from, name, text string) bool
	// parse parses the decoded text; nil for File formats.
	parse func(p *parser, text string) ([]Asset, error)
}

// Format names accepted by ParseOptions.Format.
const (
	FormatScript = "txt"
	FormatMD     = "md"
	FormatSRT    = "srt"
	FormatVTT    = "vtt"
	FormatJSON   = "json"
	FormatJSONL  = "jsonl"
	FormatCSV    = "csv"
	FormatTSV    = "tsv"
	FormatASS    = "ass"
	FormatSSA    = "ssa"
	FormatDraft  = "draft"
	FormatVideo  = "video"
)

// formats is the table (a test adds a fictional format to it).
var formats = struct {
	sync.RWMutex
	list []InputFormat
}{list: []InputFormat{
	{Name: FormatScript, Extensions: []string{".txt"}, Describe: "labelled or plain script text",
		parse: (*parser).script},
	{Name: FormatMD, Aliases: []string{"markdown"}, Extensions: []string{".md", ".markdown"}, Describe: "labelled script in Markdown, with optional front matter",
		parse: (*parser).script},
	{Name: FormatSRT, Extensions: []string{".srt"}, Describe: "SRT subtitles",
		parse: func(p *parser, text string) ([]Asset, error) { return p.subtitles(text, false) }},
	{Name: FormatVTT, Extensions: []string{".vtt"}, Describe: "WebVTT subtitles",
		parse: func(p *parser, text string) ([]Asset, error) { return p.subtitles(text, true) }},
	{Name: FormatASS, Extensions: []string{".ass"}, Describe: "ASS subtitles (styles give subtitle_color)",
		parse: (*parser).ass},
	{Name: FormatSSA, Extensions: []string{".ssa"}, Describe: "SSA subtitles, read as ASS",
		parse: (*parser).ass},
	{Name: FormatJSON, Extensions: []string{".json"}, Describe: "a JSON asset or array of assets",
		parse: (*parser).json},
	{Name: FormatJSONL, Extensions: []string{".jsonl", ".ndjson"}, Describe: "one JSON asset per line",
		parse: (*parser).jsonl},
	{Name: FormatCSV, Extensions: []string{".csv"}, Describe: "a table, one element per row",
		parse: func(p *parser, text string) ([]Asset, error) { return p.table(text, ',') }},
	{Name: FormatTSV, Extensions: []string{".tsv"}, Describe: "a tab-separated table, one element per row",
		parse: func(p *parser, text string) ([]Asset, error) { return p.table(text, '\t') }},
	{Name: FormatDraft, Describe: "a 剪映/CapCut draft: its folder, draft_content.json or any JSON timeline",
		Sniff: func(from, _, text string) bool { return from == FormatJSON && looksLikeDraft(text) },
		parse: (*parser).draft},
	{Name: FormatVideo, Extensions: []string{".mp4", ".mov", ".mkv", ".webm"}, Describe: "a video: sidecar subtitles, a subtitle stream or burned-in captions (package media)",
		File: true},
}}

// Formats returns the input formats, in the table's order.
func Formats() []InputFormat { return slices.Clone(table()) }

// table is the current table, not to be modified: a change replaces the
// slice (formats_test.go), so a reader's copy stays whole. Parsing reads
// it without copying.
func table() []InputFormat {
	formats.RLock()
	defer formats.RUnlock()
	return formats.list
}

// TextFormats returns the names of the formats that can arrive as text
// (stdin, a request's "text"): every format but File ones.
func TextFormats() []string {
	var out []string
	for _, f := range Formats() {
		if !f.File {
			out = append(out, f.Name)
		}
	}
	return out
}

// LookupFormat returns the format named name (or one of its aliases),
// case-insensitively and with or without a leading dot.
func LookupFormat(name string) (InputFormat, bool) {
	name = strings.ToLower(strings.TrimPrefix(name, "."))
	for _, f := range table() {
		if f.Name == name || slices.Contains(f.Aliases, name) {
			return f, true
		}
	}
	return InputFormat{}, false
}

// FormatOf returns the format name for path by its extension, or "".
func FormatOf(path string) string {
	ext := strings.ToLower(extOf(path))
	if ext == "" {
		return ""
	}
	for _, f := range table() {
		if slices.Contains(f.Extensions, ext) {
			return f.Name
		}
	}
	return ""
}

// extOf is filepath.Ext without the import (a path's last dot-suffix).
func extOf(path string) string {
	for i := len(path) - 1; i >= 0 && path[i] != '/' && path[i] != '\\'; i-- {
		if path[i] == '.' {
			return path[i:]
		}
	}
	return ""
}

// IsSupported reports whether path has an extension elib can parse.
func IsSupported(path string) bool { return FormatOf(path) != "" }

// sniff returns the format text that arrived as from really is.
func sniff(from, name, text string) string {
	for _, f := range table() {
		if f.Sniff != nil && f.Name != from && f.Sniff(from, name, text) {
			return f.Name
		}
	}
	return from
}

// acceptedList names what Parse accepts, for its unknown-extension error.
func acceptedList() string {
	var exts []string
	for _, f := range table() {
		if !f.File {
			exts = append(exts, f.Extensions...)
		}
	}
	return strings.Join(exts, " ") + ", a 剪映/CapCut draft or a video (" + strings.Join(videoExts(), " ") + ")"
}

// videoExts are the extensions of the formats a FileParser reads (video),
// in the table.s order.
func videoExts() []string {
	var out []string
	for _, f := range table() {
		if f.File {
			out = append(out, f.Extensions...)
		}
	}
	return out
}
