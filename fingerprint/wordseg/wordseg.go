package wordseg

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yanyiwu/gojieba"

	"elib/fingerprint/normalize"
	"elib/internal/gencache"
)

// Options configures a Segmenter. The zero value uses the embedded
// dictionaries.
type Options struct {
	// DictDir, if set, is a directory with the five gojieba files
	// (jieba.dict.utf8, hmm_model.utf8, user.dict.utf8, idf.utf8,
	// stop_words.utf8) used instead of the embedded ones; its
	// user.dict.utf8 replaces the marketing dictionary. All are validated
	// before loading.
	DictDir string
	// UserDict, if set, is an extra user dictionary file ("word [freq]
	// [tag]" per line) loaded after the base user dictionary.
	UserDict string
	// CachePieces is how many pieces of text (between gojieba's
	// separators: space, tab, newline, '，' and '。') Tokenize remembers
	// the words of, so that text checked or imported again — a draft
	// re-checked, a stock phrase, an asset judged right after its import —
	// is not cut again. 0 means DefaultCachePieces; negative, none.
	CachePieces int
}

// Segmenter segments Chinese text with gojieba. Create one per process
// (see Default); all methods are safe for concurrent use.
type Segmenter struct {
	mu     sync.RWMutex // guards j against Close during use
	j      *gojieba.Jieba
	closed bool
	cache  *gencache.Cache[string, []Token] // words of pieces (cache.go); nil: none
}

// New loads gojieba with the dictionaries selected by opts. It costs about
// 0.7 s and >100 MB; prefer Default.
func New(opts Options) (*Segmenter, error) {
	var paths [5]string
	release := func() {}
	if opts.DictDir != "" {
		p, err := ValidateDictDir(opts.DictDir)
		if err != nil {
			return nil, fmt.Errorf("dict dir: %w", err)
		}
		paths = p
	} else {
		files, err := embeddedFiles()
		if err != nil {
			return nil, fmt.Errorf("embedded dictionaries: %w", err)
		}
		p, rel, err := materialize(files)
		if err != nil {
			return nil, fmt.Errorf("embedded dictionaries: %w", err)
		}
		paths, release = p, rel
	}
	defer release()
	if opts.UserDict != "" {
		if strings.ContainsAny(opts.UserDict, "|;") {
			return nil, fmt.Errorf("user dictionary path %q: must not contain '|' or ';' (gojieba path separators)", opts.UserDict)
		}
		if err := ValidateFile(FileUserDict, opts.UserDict); err != nil {
			return nil, fmt.Errorf("user dictionary: %w", err)
		}
		paths[2] += "|" + opts.UserDict
	}
	for _, p := range strings.Split(paths[2], "|") {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("user dictionary: %w", err)
		}
	}
	j := gojieba.NewJieba(paths[:]...)
	size := opts.CachePieces
	if size == 0 {
		size = DefaultCachePieces
	}
	return &Segmenter{j: j, cache: gencache.New[string, []Token](size)}, nil
}

// DictDirEnv names the environment variable that, when set, points the
// Default segmenter at a directory of dictionaries (see Options.DictDir).
const DictDirEnv = "ELIB_DICT_DIR"

var (
	defaultOnce sync.Once
	defaultMu   sync.Mutex
	defaultOpts *Options // set by ConfigureDefault before the first load
	defaultSeg  *Segmenter
	defaultErr  error
)

// ErrDefaultLoaded is returned by ConfigureDefault once Default has loaded.
var ErrDefaultLoaded = errors.New("segment: the default segmenter is already loaded")

// ConfigureDefault sets the options of the Default segmenter (the CLI's
// --dict-dir). It must run before the first Default call.
func ConfigureDefault(opts Options) error {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultSeg != nil || defaultErr != nil {
		return ErrDefaultLoaded
	}
	defaultOpts = &opts
	return nil
}

// Default returns the process-wide shared Segmenter, created on first call
// with the options of ConfigureDefault, else Options{DictDir:
// $ELIB_DICT_DIR}. It is the one piece of global state elib allows.
func Default() (*Segmenter, error) {
	defaultOnce.Do(func() {
		defaultMu.Lock()
		defer defaultMu.Unlock()
		opts := Options{DictDir: os.Getenv(DictDirEnv)}
		if defaultOpts != nil {
			opts = *defaultOpts
		}
		defaultSeg, defaultErr = New(opts)
	})
	return defaultSeg, defaultErr
}

// Close frees the gojieba instance; later calls return no tokens. Do not
// Close the Default instance.
func (s *Segmenter) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.j.Free()
	}
}

// Token is a word and its byte offsets into the input string:
// input[Start:End] == Text.
type Token struct {
	Text       string
	Start, End int
}

// Tokenize returns the words of text in order (default mode, HMM for
// unknown words). Tokens without any letter, digit or ideograph are
// dropped. Invalid UTF-8 and NUL bytes are skipped, never passed to
// gojieba (which would return nothing or truncate).
func (s *Segmenter) Tokenize(text string) []Token {
	return s.tokenize(text, gojieba.DefaultMode)
}

// TokenizeSearch is Tokenize in search mode: long words are followed by
// their sub-words too (for a full-text index analyzer).
func (s *Segmenter) TokenizeSearch(text string) []Token {
	return s.tokenize(text, gojieba.SearchMode)
}

func (s *Segmenter) tokenize(text string, mode gojieba.TokenizeMode) []Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil
	}
	if mode == gojieba.DefaultMode && s.cache != nil {
		return s.tokenizeCached(text)
	}
	var out []Token
	forEachRun(text, func(start int, run string) {
		words := s.j.Tokenize(run, mode, true)
		if out == nil && len(words) > 0 {
			out = make([]Token, 0, len(words))
		}
		for _, w := range words {
			if !isWord(w.Str) {
				continue
			}
			out = append(out, Token{Text: w.Str, Start: start + w.Start, End: start + w.End})
		}
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

// Cut returns the words of text, like Tokenize without offsets.
func (s *Segmenter) Cut(text string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil
	}
	var out []string
	forEachRun(text, func(_ int, run string) {
		for _, w := range s.j.Cut(run, true) {
			if isWord(w) {
				out = append(out, w)
			}
		}
	})
	return out
}

// stopVerbs are verbs too common to characterise copy (是/有/在 …); they
// are never reported by Verbs.
var stopVerbs = map[string]bool{
	"是": true, "有": true, "在": true, "要": true, "会": true, "能": true,
	"让": true, "说": true, "做": true, "去": true, "来": true, "到": true,
	"把": true, "被": true, "给": true, "看": true, "想": true, "得": true,
	"用": true, "可以": true, "没有": true, "就是": true, "还有": true,
	"觉得": true, "知道": true, "需要": true, "应该": true, "可能": true,
}

// verbTaking are one-character verbs that take another verb after them —
// negation, auxiliaries and modals beyond stopVerbs, verbs of attitude and
// of asking: 没拆封, 请查看, 敢关掉, 爱喝茶, 帮下单. After them a verb is a
// verb, not an object.
var verbTaking = map[string]bool{
	"没": true, "请": true, "敢": true, "爱": true, "像": true, "怕": true,
	"别": true, "帮": true, "肯": true, "该": true, "叫": true, "教": true,
	"使": true, "忘": true, "记": true, "准": true,
}

// Verbs returns the copy verbs (文案动词) of text: distinct words that
// gojieba tags as verbs (v, vn, vd, vg, vi, vl, vf, vx …), in order of
// first appearance, excluding very common verbs such as 是/有/在 and
// words that only look like verbs where they stand.
//
// gojieba tags a word by its dictionary line, whatever the sentence, and
// jieba's dictionary tags some everyday nouns as verbs (开水 boiled water,
// 牙刷 toothbrush, 快递 parcel, 外卖 takeaway). The sentence decides: a
// word of two or more characters right after a one-character action verb
// is that verb's object — Chinese verb–object phrases take the [1+2]
// shape (进开水, 拿牙刷, 取快递), while a verb after a verb comes after an
// auxiliary or a verb of attitude (没拆封, 敢关掉; see verbTaking and
// stopVerbs) — so it is not a copy verb. Nor is a complement that
// finishes the verb before it: a directional one (吃起来, 寄回去) or a
// potential one (喝不到, 摸得到).
func (s *Segmenter) Verbs(text string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	forEachRun(text, func(_ int, run string) {
		prevWord, prevTag := "", ""
		for _, wt := range s.j.Tag(run) {
			i := strings.LastIndexByte(wt, '/')
			if i <= 0 {
				prevWord, prevTag = "", ""
				continue
			}
			w, tag := wt[:i], wt[i+1:]
			after := prevWord
			afterVerb := strings.HasPrefix(prevTag, "v")
			prevWord, prevTag = w, tag
			if !strings.HasPrefix(tag, "v") || stopVerbs[w] || seen[w] || !isWord(w) {
				continue
			}
			if afterVerb && utf8.RuneCountInString(after) == 1 && !stopVerbs[after] && !verbTaking[after] && governed(w) {
				continue
			}
			seen[w] = true
			out = append(out, w)
		}
	})
	return out
}

// governed reports whether w, right after a one-character action verb,
// belongs to that verb: its object or its complement. Both have two or
// more characters where the verb's own reading would (开水, 起来, 不到),
// while a one-character word after a verb stays a verb (爱吃, 买送).
func governed(w string) bool {
	return utf8.RuneCountInString(w) >= 2
}

// forEachRun calls fn for every maximal run of text that is valid UTF-8
// and has no NUL byte, with the run's byte offset.
func forEachRun(text string, fn func(start int, run string)) {
	start := -1
	for i := 0; i < len(text); {
		c := text[i]
		size := 1
		ok := c != 0
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			ok = !(r == utf8.RuneError && size == 1)
		}
		if ok {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			fn(start, text[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		fn(start, text[start:])
	}
}

// isWord reports whether w has at least one countable rune.
func isWord(w string) bool {
	for _, r := range w {
		if normalize.IsCountable(r) {
			return true
		}
	}
	return false
}
