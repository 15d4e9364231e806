package wordseg

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
)

// The five files gojieba loads, by their conventional names.
const (
	FileDict      = "jieba.dict.utf8"
	FileHMM       = "hmm_model.utf8"
	FileUserDict  = "user.dict.utf8"
	FileIDF       = "idf.utf8"
	FileStopWords = "stop_words.utf8"
)

// fileNames lists the five files in gojieba.NewJieba's argument order.
var fileNames = [5]string{FileDict, FileHMM, FileUserDict, FileIDF, FileStopWords}

// ErrChecksum is returned when an embedded or cached dictionary does not
// match its recorded SHA-256.
var ErrChecksum = errors.New("dictionary checksum mismatch")

// ErrInvalidDict is returned (wrapped, with file and line) when a
// dictionary file would crash or abort gojieba.
var ErrInvalidDict = errors.New("invalid dictionary")

//go:embed dict/SHA256SUMS dict/jieba.dict.utf8.zst dict/hmm_model.utf8.zst dict/stop_words.utf8.zst dict/idf.small.utf8 dict/marketing.dict.utf8
var embedded embed.FS

// embeddedSource maps each gojieba file to the embedded file it comes from.
var embeddedSource = map[string]string{
	FileDict:      "jieba.dict.utf8.zst",
	FileHMM:       "hmm_model.utf8.zst",
	FileUserDict:  "marketing.dict.utf8",
	FileIDF:       "idf.small.utf8",
	FileStopWords: "stop_words.utf8.zst",
}

// embeddedFiles decompresses and checksums the embedded dictionaries and
// returns their contents by gojieba file name.
func embeddedFiles() (map[string][]byte, error) {
	sumsText, err := embedded.ReadFile("dict/SHA256SUMS")
	if err != nil {
		return nil, fmt.Errorf("read embedded SHA256SUMS: %w", err)
	}
	sums, err := parseSums(sumsText)
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	defer dec.Close()
	out := make(map[string][]byte, len(fileNames))
	for _, name := range fileNames {
		src := embeddedSource[name]
		data, err := embedded.ReadFile("dict/" + src)
		if err != nil {
			return nil, fmt.Errorf("read embedded %s: %w", src, err)
		}
		plain := strings.TrimSuffix(src, ".zst")
		if plain != src {
			if data, err = dec.DecodeAll(data, nil); err != nil {
				return nil, fmt.Errorf("decompress embedded %s: %w", src, err)
			}
		}
		if err := verifyChecksum(plain, data, sums[plain]); err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, nil
}

// parseSums parses a sha256sum-style file: "<hex>  <name>" per line.
func parseSums(b []byte) (map[string]string, error) {
	sums := map[string]string{}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || len(f[0]) != 64 {
			return nil, fmt.Errorf("SHA256SUMS line %d %q: malformed", i+1, line)
		}
		sums[f[1]] = f[0]
	}
	return sums, nil
}

// verifyChecksum checks data against the hex SHA-256 want.
func verifyChecksum(name string, data []byte, want string) error {
	if want == "" {
		return fmt.Errorf("%s: no recorded checksum: %w", name, ErrChecksum)
	}
	h := sha256.Sum256(data)
	if got := hex.EncodeToString(h[:]); got != want {
		return fmt.Errorf("%s: sha256 %s, want %s: %w", name, got, want, ErrChecksum)
	}
	return nil
}

// materialize makes the files readable by path for gojieba: memfd files
// where available, else a checksummed cache directory. The returned
// function releases what materialize created (call it after loading).
func materialize(files map[string][]byte) (paths [5]string, release func(), err error) {
	paths, release, err = memfdPaths(files)
	if err == nil {
		return paths, release, nil
	}
	memErr := err
	paths, err = cacheDirPaths(files)
	if err != nil {
		return paths, nil, fmt.Errorf("no place for dictionaries (memfd: %v): %w", memErr, err)
	}
	return paths, func() {}, nil
}

// cacheDirPaths extracts files under os.UserCacheDir()/elib/jieba-<sum>/,
// reusing files whose content already matches.
func cacheDirPaths(files map[string][]byte) ([5]string, error) {
	var paths [5]string
	base, err := os.UserCacheDir()
	if err != nil {
		return paths, fmt.Errorf("user cache dir: %w", err)
	}
	h := sha256.New()
	for _, name := range fileNames {
		s := sha256.Sum256(files[name])
		h.Write(s[:])
	}
	dir := filepath.Join(base, "elib", "jieba-"+hex.EncodeToString(h.Sum(nil))[:16])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return paths, fmt.Errorf("create dictionary cache: %w", err)
	}
	for i, name := range fileNames {
		p := filepath.Join(dir, name)
		paths[i] = p
		want := sha256.Sum256(files[name])
		if old, err := os.ReadFile(p); err == nil && sha256.Sum256(old) == want {
			continue
		}
		tmp, err := os.CreateTemp(dir, name+".tmp*")
		if err != nil {
			return paths, fmt.Errorf("extract %s: %w", name, err)
		}
		_, werr := tmp.Write(files[name])
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			os.Remove(tmp.Name())
			return paths, fmt.Errorf("extract %s: %w", name, errors.Join(werr, cerr))
		}
		if err := os.Rename(tmp.Name(), p); err != nil {
			os.Remove(tmp.Name())
			return paths, fmt.Errorf("extract %s: %w", name, err)
		}
	}
	return paths, nil
}

// ValidateDictDir checks that dir holds the five dictionary files and that
// each is well formed, so that loading cannot panic or abort.
func ValidateDictDir(dir string) ([5]string, error) {
	var paths [5]string
	for i, name := range fileNames {
		p := filepath.Join(dir, name)
		if err := ValidateFile(name, p); err != nil {
			return paths, err
		}
		paths[i] = p
	}
	return paths, nil
}

// ValidateFile checks the dictionary file at path, whose role is given by
// its conventional name (FileDict, FileHMM, FileUserDict, FileIDF,
// FileStopWords).
func ValidateFile(role, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("dictionary %s: %w", path, err)
	}
	if err := validate(role, data); err != nil {
		return fmt.Errorf("dictionary %s: %w", path, err)
	}
	return nil
}

// validate checks data in the format gojieba expects for role.
func validate(role string, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("empty file: %w", ErrInvalidDict)
	}
	switch role {
	case FileDict:
		return eachLine(data, false, func(line string) error {
			f := strings.Split(line, " ")
			if len(f) != 3 || f[0] == "" || f[2] == "" {
				return fmt.Errorf("want \"word freq tag\", got %q", line)
			}
			if v, err := strconv.ParseFloat(f[1], 64); err != nil || v <= 0 {
				return fmt.Errorf("frequency %q is not a positive number", f[1])
			}
			return checkWord(f[0])
		})
	case FileUserDict:
		return eachLine(data, true, func(line string) error {
			f := strings.Split(line, " ")
			if len(f) > 3 {
				return fmt.Errorf("want \"word [freq] [tag]\", got %q", line)
			}
			for _, x := range f {
				if x == "" {
					return fmt.Errorf("empty field (double space?) in %q", line)
				}
			}
			if len(f) == 3 {
				if v, err := strconv.Atoi(f[1]); err != nil || v <= 0 {
					return fmt.Errorf("frequency %q is not a positive integer", f[1])
				}
			}
			return checkWord(f[0])
		})
	case FileIDF:
		var sum float64
		lines := 0
		err := eachLine(data, true, func(line string) error {
			f := strings.Split(line, " ")
			if len(f) != 2 || f[0] == "" {
				return fmt.Errorf("want \"word idf\", got %q", line)
			}
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return fmt.Errorf("idf %q is not a number", f[1])
			}
			sum += v
			lines++
			return nil
		})
		if err == nil && sum <= 0 {
			err = fmt.Errorf("average idf must be positive: %w", ErrInvalidDict)
		}
		return err
	case FileHMM:
		return validateHMM(data)
	case FileStopWords:
		return nil
	}
	return fmt.Errorf("unknown dictionary role %q", role)
}

// checkWord rejects words cppjieba cannot decode.
func checkWord(w string) error {
	if !utf8.ValidString(w) {
		return fmt.Errorf("word %q is not valid UTF-8", w)
	}
	return nil
}

// eachLine calls fn for every line as cppjieba's getline loop sees it;
// empty lines are errors unless skipEmpty. Errors carry the line number.
func eachLine(data []byte, skipEmpty bool, fn func(string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" {
			if skipEmpty {
				continue
			}
			return fmt.Errorf("line %d: empty line: %w", n, ErrInvalidDict)
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("line %d: %v: %w", n, err, ErrInvalidDict)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n, err)
	}
	return nil
}

// validateHMM mirrors cppjieba's HMMModel.LoadModel: after skipping blank
// and '#' lines, 1 line of 4 start probabilities, 4 lines of 4 transition
// probabilities, then 4 emission lines "c:p,c:p,…" of single runes.
func validateHMM(data []byte) error {
	var lines []int
	var texts []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, n)
		texts = append(texts, l)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("hmm model: %w", err)
	}
	if len(texts) < 9 {
		return fmt.Errorf("hmm model: %d data lines, want 9: %w", len(texts), ErrInvalidDict)
	}
	for i := 0; i < 5; i++ {
		f := strings.Split(texts[i], " ")
		if len(f) != 4 {
			return fmt.Errorf("line %d: want 4 probabilities: %w", lines[i], ErrInvalidDict)
		}
		for _, x := range f {
			if _, err := strconv.ParseFloat(x, 64); err != nil {
				return fmt.Errorf("line %d: probability %q: %w", lines[i], x, ErrInvalidDict)
			}
		}
	}
	for i := 5; i < 9; i++ {
		for _, item := range strings.Split(texts[i], ",") {
			kv := strings.Split(item, ":")
			if len(kv) != 2 || utf8.RuneCountInString(kv[0]) != 1 || !utf8.ValidString(kv[0]) {
				return fmt.Errorf("line %d: emission %q: %w", lines[i], item, ErrInvalidDict)
			}
		}
	}
	return nil
}
