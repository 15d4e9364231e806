// Command coldstart measures whole-process wall time of `elib check`
// against the tokenizer's own load time (issue: one cold check within 0.3 s
// of the tokenizer load; 100 files in one process within 1.5 s of it).
//
//	go run ./benchmarks/coldstart [-runs 7] [-files 100]
//
// It builds elib and tokenizer-load, then times (median of -runs):
// tokenizer-load; `elib check` of one example against the embedded sample
// library; `elib check` of one file and of -files files against an on-disk
// library imported from the embedded sample.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"elib/corpus"
)

func main() {
	runs := flag.Int("runs", 7, "runs per measurement (median reported)")
	files := flag.Int("files", 100, "files in the batch measurement")
	flag.Parse()
	if err := run(*runs, *files); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

func run(runs, nfiles int) error {
	dir, err := os.MkdirTemp("", "elib-coldstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	elib := filepath.Join(dir, "elib")
	tok := filepath.Join(dir, "tokenizer-load")
	for bin, pkg := range map[string]string{elib: "./cmd/elib", tok: "./benchmarks/coldstart/tokenizer-load"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", pkg, err, out)
		}
	}
	// Inputs: the examples, repeated to nfiles files.
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		return err
	}
	ex := corpus.ExampleScripts()
	var batch []string
	for i := 0; i < nfiles; i++ {
		data, err := fs.ReadFile(corpus.Examples(), ex[i%len(ex)])
		if err != nil {
			return err
		}
		p := filepath.Join(in, fmt.Sprintf("%03d-%s", i, ex[i%len(ex)]))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		batch = append(batch, p)
	}
	// An on-disk library holding the embedded sample.
	lib := filepath.Join(dir, "lib")
	sample := filepath.Join(dir, "sample")
	if err := os.CopyFS(sample, corpus.Library()); err != nil {
		return err
	}
	for _, args := range [][]string{{"init"}, {"import", sample}} {
		cmd := exec.Command(elib, append([]string{"--library", lib}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("elib %v: %v\n%s", args, err, out)
		}
	}
	env := append(os.Environ(), "ELIB_LIBRARY=", "NO_COLOR=1")
	measure := func(name string, bin string, args ...string) time.Duration {
		var ds []time.Duration
		for i := 0; i < runs; i++ {
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir
			cmd.Env = env
			start := time.Now()
			_ = cmd.Run() // exit 1 (a rejected file) is expected
			ds = append(ds, time.Since(start))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		d := ds[len(ds)/2]
		fmt.Printf("%-52s median %7.1f ms  (min %.1f, max %.1f, %d runs)\n", name, ms(d), ms(ds[0]), ms(ds[len(ds)-1]), runs)
		return d
	}
	base := measure("tokenizer-load", tok)
	one := measure("elib check 1 file (embedded sample)", elib, "check", batch[0])
	oneLib := measure("elib check 1 file (on-disk library)", elib, "--library", lib, "check", batch[0])
	many := measure(fmt.Sprintf("elib check %d files (on-disk library)", nfiles), elib, append([]string{"--library", lib, "check"}, batch...)...)
	fmt.Printf("\nover the tokenizer load: 1 file +%.0f ms (embedded), +%.0f ms (on disk); %d files +%.0f ms\n",
		ms(one-base), ms(oneLib-base), nfiles, ms(many-base))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
