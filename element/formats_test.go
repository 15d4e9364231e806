package element

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// beats is a fictional input format: "type|text" per line. Adding it
// takes one table entry (fictionalFormat) and one parser (this method):
// detection, Parse, Walk, the error naming what is accepted and the lists
// every command and the server read pick it up.
func (p *parser) beats(text string) ([]Asset, error) {
	a := Asset{}
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		kind, body, ok := strings.Cut(line, "|")
		if !ok {
			return nil, errAt(i+1, "want type|text")
		}
		a.Elements = append(a.Elements, Element{Type: Type(kind), Text: body, Line: i + 1})
	}
	return []Asset{a}, nil
}

// registerFormat adds f to the table until the test ends.
func registerFormat(t *testing.T, f InputFormat) {
	formats.Lock()
	formats.list = append(slices.Clone(formats.list), f)
	formats.Unlock()
	t.Cleanup(func() {
		formats.Lock()
		defer formats.Unlock()
		formats.list = slices.DeleteFunc(slices.Clone(formats.list), func(g InputFormat) bool { return g.Name == f.Name })
	})
}

var fictionalFormat = InputFormat{Name: "beats", Extensions: []string{".beats"}, Describe: "a fictional beat sheet", parse: (*parser).beats}

func TestAFictionalFormatIsOneTableEntry(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plan.beats")
	require.NoError(t, os.WriteFile(file, []byte("hook|你是不是也被楼上装修吵得睡不着？\nconversion|点击下方链接立减五十。\n"), 0o644))

	_, err := Parse("plan.beats", []byte("hook|你好"), ParseOptions{})
	require.ErrorIs(t, err, ErrFormat, "not a format before its entry")
	_, err = Parse("a.doc", []byte("hi"), ParseOptions{})
	assert.NotContains(t, err.Error(), ".beats")

	registerFormat(t, fictionalFormat)

	assert.Equal(t, "beats", FormatOf(file))
	assert.True(t, IsSupported(file))
	assert.Contains(t, TextFormats(), "beats")
	f, ok := LookupFormat(".BEATS")
	require.True(t, ok)
	assert.Equal(t, "beats", f.Name)

	assets, err := ParseFile(file, ParseOptions{Root: dir})
	require.NoError(t, err)
	require.Len(t, assets, 1)
	assert.Equal(t, "plan.beats", assets[0].ID)
	require.Len(t, assets[0].Elements, 2)
	assert.Equal(t, Hook, assets[0].Elements[0].Type)
	assert.Equal(t, Conversion, assets[0].Elements[1].Type)

	assets, err = Parse("-", []byte("hook|从标准输入来的钩子"), ParseOptions{Format: "beats", ID: "stdin"})
	require.NoError(t, err)
	assert.Equal(t, "stdin", assets[0].ID)

	var walked []string
	require.NoError(t, Walk([]string{dir}, func(path string) error { walked = append(walked, filepath.Base(path)); return nil }))
	assert.Equal(t, []string{"plan.beats"}, walked)

	_, err = Parse("a.doc", []byte("hi"), ParseOptions{})
	require.True(t, errors.Is(err, ErrFormat))
	assert.Contains(t, err.Error(), ".beats", "the error names what is accepted")

	_, err = Parse("bad.beats", []byte("no separator"), ParseOptions{})
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Line)
}

func TestFormatTable(t *testing.T) {
	seen := map[string]string{}
	for _, f := range Formats() {
		assert.NotEmpty(t, f.Describe, f.Name)
		assert.Equal(t, f.File, f.parse == nil, "%s: a text format has a parser, a file format a FileParser", f.Name)
		for _, e := range f.Extensions {
			assert.Equal(t, strings.ToLower(e), e)
			assert.True(t, strings.HasPrefix(e, "."), e)
			assert.Empty(t, seen[e], "%s claimed by %s and %s", e, seen[e], f.Name)
			seen[e] = f.Name
			assert.Equal(t, f.Name, FormatOf("x"+strings.ToUpper(e)))
		}
	}
	assert.Equal(t, FormatMD, formatFor("x", ParseOptions{Format: "markdown"}))
}
