package i18n

import (
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

// verbRE matches a fmt verb (with an optional argument index).
var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists a format's verbs by kind, sorted, ignoring argument indexes,
// flags and widths: a translation may reorder its arguments but must
// format the same ones.
func verbs(format string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(format, -1) {
		out = append(out, v[len(v)-1:])
	}
	sort.Strings(out)
	return out
}

// TestCatalogsComplete: every English message has a Chinese translation
// with the same fmt verbs, and the other way round.
func TestCatalogsComplete(t *testing.T) {
	require.NotEmpty(t, en)
	for k, v := range en {
		assert.Equal(t, k, v, "the English catalog is keyed by its messages")
		zhv, ok := zh[k]
		if !assert.True(t, ok, "no Chinese translation of %q", k) {
			continue
		}
		assert.Equal(t, verbs(k), verbs(zhv), "the Chinese %q formats other arguments than %q", zhv, k)
		assert.Equal(t, strings.HasSuffix(k, "\n"), strings.HasSuffix(zhv, "\n"), "line ending of %q", k)
	}
	for k := range zh {
		_, ok := en[k]
		assert.True(t, ok, "Chinese message %q is not in the English catalog", k)
	}
}

// TestMessagesInCodeAreInCatalogs: every message the code prints through a
// Printer (p.T("…"), p.F(w, "…"), i18n.Errorf("…")) and every error the
// packages below raise with a message key (msg.Errorf("…"), msg.New("…"),
// element's errAt(line, "…"), the server's badRequest("…"), writeError
// and writeBusy)
// is in the catalogs, so a message added without a translation fails
// here.
func TestMessagesInCodeAreInCatalogs(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	used := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inI18n := f.Name.Name == "i18n"
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			arg := -1
			switch fun := call.Fun.(type) {
			case *ast.SelectorExpr:
				switch fun.Sel.Name {
				case "T":
					arg = 0
				case "F":
					arg = 1
				case "Errorf", "New":
					if id, ok := fun.X.(*ast.Ident); ok && (id.Name == "i18n" || id.Name == "msg") {
						arg = 0
					}
				}
			case *ast.Ident:
				switch {
				case inI18n && fun.Name == "Errorf":
					arg = 0
				case fun.Name == "errAt":
					arg = 1
				case fun.Name == "badRequest":
					arg = 0
				case fun.Name == "writeError":
					arg = 4
				case fun.Name == "writeBusy":
					arg = 3
				}
			}
			if arg < 0 || arg >= len(call.Args) {
				return true
			}
			if lit, ok := call.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err == nil {
					used[s] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, len(used), 300, "the scan finds the code's messages, the lower packages' errors too")
	for msg, at := range used {
		assert.Contains(t, en, msg, "%s: message %q is not in catalog_en.go", at, msg)
		assert.Contains(t, zh, msg, "%s: message %q has no Chinese translation in catalog_zh.go", at, msg)
	}
}

func TestDetect(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name string
		flag string
		env  func(string) string
		want language.Tag
	}{
		{"nothing set", "", env(), English},
		{"LANG zh_CN", "", env("LANG", "zh_CN.UTF-8"), Chinese},
		{"LANG C", "", env("LANG", "C.UTF-8"), English},
		{"LC_MESSAGES wins over LANG", "", env("LANG", "en_US.UTF-8", "LC_MESSAGES", "zh_CN.UTF-8"), Chinese},
		{"LC_ALL wins over all", "", env("LANG", "zh_CN.UTF-8", "LC_MESSAGES", "zh_CN.UTF-8", "LC_ALL", "C"), English},
		{"LANG zh_TW", "", env("LANG", "zh_TW.UTF-8"), Chinese},
		{"--lang zh over the locale", "zh", env("LC_ALL", "en_US.UTF-8"), Chinese},
		{"--lang en over the locale", "en", env("LANG", "zh_CN.UTF-8"), English},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect(tc.flag, tc.env)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := Detect("fr", env())
	require.Error(t, err)
	assert.Equal(t, `--lang "fr"：只支持 zh 或 en`, New(Chinese).Message(err))
}

func TestPrinter(t *testing.T) {
	zhP, enP := New(language.MustParse("zh-Hans-CN")), New(language.MustParse("en-GB"))
	assert.True(t, zhP.Chinese())
	assert.False(t, enP.Chinese())
	var nilP *Printer
	assert.Equal(t, "reject", nilP.T("reject"), "a nil printer prints English")
	assert.Equal(t, "回炉", zhP.T("reject"))
	// Reordered arguments; numbers formatted as in English (no grouping).
	assert.Equal(t, "疲劳元件      1 个（14 天内被 ≥ 3 个素材复用）\n", zhP.T("fatigued      %d element(s) reused by ≥ %d assets within %d days\n", 1, 3, 14))
	assert.Equal(t, "检查 1234 篇，回炉 1 篇，出错 0 个\n", zhP.T("%d checked, %d rejected, %d errors\n", 1234, 1, 0))
	assert.Equal(t, "1234 checked, 1 rejected, 0 errors\n", enP.T("%d checked, %d rejected, %d errors\n", 1234, 1, 0))
	assert.Equal(t, "not in any catalog", zhP.T("not in any catalog"), "an unknown key prints as it is")

	// Errors: English by Error(), the printer's language by Message, and
	// the wrapped error stays reachable.
	base := os.ErrNotExist
	err := Errorf("a library already exists at %s", "lib")
	assert.Equal(t, "a library already exists at lib", err.Error())
	assert.Equal(t, "lib 已经有元件库", zhP.Message(err))
	assert.Equal(t, "plain", zhP.Message(errors.New("plain")))
	wrapped := Errorf("elib: %s\n", base)
	assert.NotErrorIs(t, wrapped, base, "%s does not wrap")
	assert.Equal(t, "elib：lib 已经有元件库\n", zhP.T("elib: %s\n", err), "an *Error argument is rendered in the printer's language")

	// Errors raised below the commands keep their English text but for
	// the phrases the catalogs know; wrapped (%w) they read the same.
	deep := errors.New("drafts/x.md: empty input: no copy text")
	assert.Equal(t, "drafts/x.md: 输入为空：没有文案", zhP.Message(deep))
	assert.Equal(t, deep.Error(), enP.Message(deep))
	wrappedDeep := Errorf("import: %w", deep)
	assert.Equal(t, "import：drafts/x.md: 输入为空：没有文案", zhP.Message(wrappedDeep))
	assert.ErrorIs(t, wrappedDeep, deep)
	assert.Equal(t, "import: drafts/x.md: empty input: no copy text", enP.Message(wrappedDeep))
	assert.Equal(t, "未知的参数: --frmat", zhP.Message(errors.New("unknown flag: --frmat")), "cobra's usage errors")
}

// TestMessageOfDeepErrors: errors raised below the commands with message
// keys (package msg), wrapped by fmt.Errorf and by types that add a file
// and line, read in Chinese with the file, line and arguments kept; an
// *fs.PathError says its operation and cause in Chinese.
func TestMessageOfDeepErrors(t *testing.T) {
	zhP, enP := New(Chinese), New(English)
	sentinel := msg.New("over the limit")
	deep := msg.Errorf("%w: asset %s has %d elements (limit %d per asset)", sentinel, "drafts/a.md", 2000, 1000)
	located := &located{file: "drafts/a.md", line: 7, err: deep}
	wrapped := fmt.Errorf("import %s: %w", "drafts/", located)
	assert.Equal(t, "import drafts/: drafts/a.md:7: over the limit: asset drafts/a.md has 2000 elements (limit 1000 per asset)", enP.Message(wrapped))
	assert.Equal(t, "import drafts/: drafts/a.md:7: 超出上限：素材 drafts/a.md 有 2000 个元件（每个素材最多 1000 个）", zhP.Message(wrapped))
	assert.ErrorIs(t, wrapped, sentinel)

	_, err := os.Open(filepath.Join(t.TempDir(), "missing.md"))
	require.Error(t, err)
	got := zhP.Message(msg.Errorf("read %s: %w", "x", err))
	assert.Contains(t, got, "打开 ")
	assert.Contains(t, got, "missing.md：文件或文件夹不存在")
	assert.NotContains(t, got, "no such file")

	// Keys without arguments, and a cause elib does not know.
	assert.Equal(t, "没有元件库", zhP.Message(msg.New("no library")))
	assert.Equal(t, "元件库 x：some driver said no", zhP.Message(msg.Errorf("library %s: %w", "x", errors.New("some driver said no"))))
}

// located is an error that adds a file and line, as element.ParseError.
type located struct {
	file string
	line int
	err  error
}

func (e *located) Error() string { return fmt.Sprintf("%s:%d: %v", e.file, e.line, e.err) }
func (e *located) Unwrap() error { return e.err }
