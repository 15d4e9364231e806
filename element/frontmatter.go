package element

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// metaKeys are the metadata keys a labelled script may give at its top, in
// YAML front matter or as `键：值` header lines, with the key each is stored
// under (the names search --where, stats --by and --since read).
var metaKeys = map[string]string{
	"platform": "platform", "平台": "platform", "投放平台": "platform",
	"account": "account", "账号": "account", "账户": "account",
	"campaign": "campaign", "活动": "campaign", "投放活动": "campaign",
	"product": "product", "产品": "product", "商品": "product",
	"published": "published", "发布时间": "published", "发布日期": "published",
	"plays": "plays", "播放量": "plays", "播放": "plays",
	"title": "title", "标题": "title",
}

// metaKeyOf returns the stored name of a known metadata key (English in
// any case, or Chinese).
func metaKeyOf(key string) (string, bool) {
	k, ok := metaKeys[strings.ToLower(strings.TrimSpace(key))]
	return k, ok
}

// headerLine matches a `键：值` / `key: value` line: a key of letters,
// ideographs, digits or underscores, a full- or half-width colon, a value.
var headerLine = regexp.MustCompile(`^([\p{L}\p{N}_]{1,16})[ \t　]*[:：][ \t　]*(.*)$`)

// frontMatter takes the metadata at the top of a labelled script into a:
// YAML front matter between `---` lines (every key is metadata; known keys
// are stored under their English names), or else a leading block of
// header lines with known keys (the first line with any other form, or an
// unknown key, ends the block and stays copy). A Markdown title line
// (`# 标题`) may precede the header lines. The lines taken are blanked in
// place, so line numbers in later errors stay those of the file.
func frontMatter(lines []string, a *Asset) error {
	first := -1
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			first = i
			break
		}
	}
	if first < 0 {
		return nil
	}
	if strings.TrimSpace(lines[first]) == "---" {
		taken, err := yamlFrontMatter(lines, first, a)
		if err != nil || taken {
			return err
		}
	}
	i := first
	// A Markdown title line before the header lines stays for the
	// script's own title rule.
	if _, ok := titleOf(lines[i]); ok && strings.HasPrefix(strings.TrimSpace(lines[i]), "#") {
		if _, _, _, isLabel := labelAt(lines[i]); !isLabel {
			i++
		}
	}
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			continue
		}
		m := headerLine.FindStringSubmatch(line)
		if m == nil {
			break
		}
		key, ok := metaKeyOf(m[1])
		if !ok {
			break
		}
		setMeta(a, key, strings.TrimSpace(m[2]))
		lines[i] = ""
	}
	return nil
}

// yamlFrontMatter reads YAML front matter opening at lines[open] ("---")
// and closed by a "---" or "..." line. taken is false when the block is not
// front matter (no closing line, or YAML that is not a mapping): a script
// may use "---" as a rule. A mapping that does not parse is an error naming
// its line.
func yamlFrontMatter(lines []string, open int, a *Asset) (taken bool, err error) {
	end := -1
	for i := open + 1; i < len(lines); i++ {
		if s := strings.TrimRight(lines[i], " \t\r"); s == "---" || s == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return false, nil
	}
	body := strings.Join(lines[open+1:end], "\n")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		if !looksLikeHeader(lines[open+1 : end]) {
			return false, nil
		}
		return false, errAt(open+1+yamlErrLine(err), "front matter: %v", yamlErrText(err))
	}
	if len(doc.Content) == 0 { // "---\n---": an empty block
		blank(lines, open, end)
		return true, nil
	}
	if doc.Content[0].Kind != yaml.MappingNode {
		return false, nil
	}
	var m map[string]any
	if err := doc.Content[0].Decode(&m); err != nil {
		return false, errAt(open+1+doc.Content[0].Line, "front matter: %v", yamlErrText(err))
	}
	for k, v := range m {
		key, ok := metaKeyOf(k)
		if !ok {
			key = k
		}
		setMeta(a, key, metaValue(v))
	}
	blank(lines, open, end)
	return true, nil
}

// looksLikeHeader reports whether the first non-empty line of a block is a
// `key: value` line: a broken YAML block is then front matter gone wrong,
// not copy that happens to sit between rules.
func looksLikeHeader(lines []string) bool {
	for _, l := range lines {
		if s := strings.TrimSpace(l); s != "" {
			return headerLine.MatchString(s)
		}
	}
	return false
}

func blank(lines []string, from, to int) {
	for i := from; i <= to; i++ {
		lines[i] = ""
	}
}

// setMeta stores one metadata value; the title becomes the asset's title.
func setMeta(a *Asset, key string, v any) {
	if key == "title" {
		if s := strings.TrimSpace(fmt.Sprint(v)); s != "" && v != nil {
			a.Title = s
		}
		return
	}
	if s, ok := v.(string); ok && s == "" {
		return
	}
	if v == nil {
		return
	}
	if a.Meta == nil {
		a.Meta = map[string]any{}
	}
	a.Meta[key] = v
}

// metaValue makes a decoded YAML value JSON-friendly: times as RFC 3339,
// nested maps with string keys.
func metaValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.RFC3339)
	case map[string]any:
		for k, e := range x {
			x[k] = metaValue(e)
		}
		return x
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = metaValue(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = metaValue(e)
		}
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

// yamlErrLine is the 1-based line inside the block a YAML error names (0
// when it names none).
func yamlErrLine(err error) int {
	var n int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+len("line "):], "%d", &n)
	}
	return n
}

// yamlErrText is a YAML error without its "yaml: line N:" prefix (the
// caller names the file's line).
func yamlErrText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
	}
	return msg
}
