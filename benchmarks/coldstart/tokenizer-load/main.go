// Command tokenizer-load only loads elib's tokenizer (gojieba with the
// embedded dictionaries) and exits: the baseline the cold-start figures of
// `elib check` are compared with.
package main

import (
	"fmt"
	"os"

	"elib/fingerprint/wordseg"
)

func main() {
	seg, err := wordseg.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if len(seg.Cut("加载完成")) == 0 {
		os.Exit(2)
	}
}
