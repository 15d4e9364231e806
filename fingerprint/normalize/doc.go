// Package normalize turns user-written copy text into the sequence of
// countable runes that fingerprints and duplication are computed on
// (SPEC §3, §4), keeping an offset map back to the original text.
//
// Data enters as a Go string (any content; invalid UTF-8 is tolerated) and
// leaves as a Text: the kept runes plus, for every kept rune, the code-point
// index in the original string of the rune that produced it. Spans found on
// normalised text are mapped back through Text.Offsets so they point at what
// the user wrote.
//
// Pipeline, in order:
//
//  1. Inline annotations such as （镜头：推近）, (BGM 128bpm), [音效：叮],
//     {字幕色 #FFD400} or （画面：…） are found on the original text (see
//     annotation.Find, the element parser's own) and dropped.
//  2. Unicode NFKC (full-width → half-width, compatibility characters).
//  3. Traditional → Simplified Chinese with OpenCC (github.com/longbridgeapp/opencc),
//     using the tw2sp chain (Taiwan phrases and variants: 檔案→文件, 軟體→软件,
//     網路→网络, 滑鼠→鼠标, 記憶體→内存) extended with the Hong Kong variant
//     dictionaries of hk2s (綫/裏/僞 forms). tw2sp is chosen over t2s because
//     SPEC §4 asks for regional vocabulary, and HK variants are added because
//     Hong Kong teams write variant characters that tw2sp leaves alone.
//     OpenCC is slow per rune (benchmarks/RESULTS.md), so only maximal runs of letters/digits/
//     ideographs that contain at least one character OpenCC would change
//     (a set computed once from OpenCC's own character dictionaries) are
//     converted; ASCII and already-Simplified text never reaches OpenCC.
//  4. Simple case folding (unicode.ToLower).
//  5. Everything that is not countable (IsCountable: ideographs, letters,
//     digits) is dropped: punctuation, symbols, emoji, whitespace, marks.
//
// Offsets are non-decreasing, not strictly increasing: one original rune may
// produce several kept runes (NFKC ㍻ → 平成, ﬁ → fi; OpenCC phrase
// expansions). When OpenCC changes a phrase's length (記憶體 → 内存), each
// output rune is mapped to a rune of the converted source phrase, the last
// output rune to the phrase's last rune, so a span covering the output
// covers the whole source phrase.
package normalize
