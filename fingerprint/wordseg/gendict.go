//go:build ignore

// gendict regenerates the embedded dictionaries from the gojieba module in
// the module cache: zstd (best compression) copies of jieba.dict.utf8,
// hmm_model.utf8 and stop_words.utf8 in dict/, and dict/SHA256SUMS with the
// SHA-256 of every uncompressed file that is shipped (including our own
// idf.small.utf8 and marketing.dict.utf8).
//
//	go generate ./fingerprint/wordseg
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"
)

func main() {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yanyiwu/gojieba").Output()
	if err != nil {
		log.Fatalf("locate gojieba: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "deps", "cppjieba", "dict")
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		log.Fatal(err)
	}
	sums := map[string]string{}
	for _, name := range []string{"jieba.dict.utf8", "hmm_model.utf8", "stop_words.utf8"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			log.Fatalf("read %s: %v", name, err)
		}
		z := enc.EncodeAll(data, nil)
		if err := os.WriteFile(filepath.Join("dict", name+".zst"), z, 0o644); err != nil {
			log.Fatal(err)
		}
		h := sha256.Sum256(data)
		sums[name] = hex.EncodeToString(h[:])
		fmt.Printf("%s: %d -> %d bytes\n", name, len(data), len(z))
	}
	for _, name := range []string{"idf.small.utf8", "marketing.dict.utf8"} {
		data, err := os.ReadFile(filepath.Join("dict", name))
		if err != nil {
			log.Fatalf("read %s: %v", name, err)
		}
		h := sha256.Sum256(data)
		sums[name] = hex.EncodeToString(h[:])
	}
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n)
	}
	if err := os.WriteFile(filepath.Join("dict", "SHA256SUMS"), []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}
