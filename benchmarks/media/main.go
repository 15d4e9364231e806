// Command media measures the video importer against generated clips with
// known truth (issue 12's acceptance): BPM accuracy over 70–180 BPM tracks,
// camera movement accuracy per element, and the time to import a 60-second
// 1080p video. It needs ffmpeg and bpm-tools (Debian packages ffmpeg,
// bpm-tools). Figures go to benchmarks/RESULTS.md.
//
//	go run ./benchmarks/media -bpm -camera -import60 [-elib ./elib]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"elib/element"
	"elib/media"
	"elib/media/synth"
)

// keepClips keeps generated clips (when -dir is given) for a closer look.
var keepClips bool

// remove deletes a generated clip unless clips are kept.
func remove(p string) {
	if !keepClips {
		os.Remove(p)
	}
}

type options struct {
	bpm, camera, import60 bool
	elib                  string
	keep                  string
	clips                 int
}

func main() {
	var o options
	flag.BoolVar(&o.bpm, "bpm", false, "measure BPM accuracy on generated tracks 70-180 BPM")
	flag.BoolVar(&o.camera, "camera", false, "measure camera accuracy per element on generated clips")
	flag.BoolVar(&o.import60, "import60", false, "time a 60 s 1080p video with subtitles")
	flag.StringVar(&o.elib, "elib", "", "elib binary: also time `elib import` of the 60 s video")
	flag.StringVar(&o.keep, "dir", "", "directory for generated clips (default: a temp dir, removed)")
	flag.IntVar(&o.clips, "clips", 12, "mixed-movement clips for -camera")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		slog.Error("media benchmark", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	dir := o.keep
	if dir != "" {
		keepClips = true
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	} else {
		d, err := os.MkdirTemp("", "elib-media-bench-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if o.bpm {
		if err := benchBPM(ctx, dir); err != nil {
			return err
		}
	}
	if o.camera {
		if err := benchCamera(ctx, dir, o.clips); err != nil {
			return err
		}
	}
	if o.import60 {
		if err := benchImport60(ctx, dir, o.elib); err != nil {
			return err
		}
	}
	return nil
}

// benchBPM generates 20-second AAC tracks for every tempo 70..180 step 5
// and four sound kinds and counts estimates within ±2 BPM.
func benchBPM(ctx context.Context, dir string) error {
	kinds := []string{synth.SoundClick, synth.SoundDrums, synth.SoundDrumsVoice, "click+voice"}
	ok, total := map[string]int{}, map[string]int{}
	var misses []string
	for bpm := 70.0; bpm <= 180; bpm += 5 {
		for _, k := range kinds {
			p := filepath.Join(dir, fmt.Sprintf("bpm-%g-%s.mp4", bpm, strings.ReplaceAll(k, "+", "_")))
			spec := synth.Spec{Segments: []synth.Segment{{Camera: element.CameraStatic, Seconds: 20}}, BPM: bpm, Sound: k, Subtitles: "none", Width: 64, Height: 36}
			if err := synth.Make(ctx, "ffmpeg", p, spec); err != nil {
				return err
			}
			t, err := media.FileTempo(ctx, media.Tools{}, p)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			total[k]++
			if math.Abs(t.BPM-bpm) <= 2 {
				ok[k]++
			} else {
				misses = append(misses, fmt.Sprintf("%s %g→%g", k, bpm, t.BPM))
			}
			remove(p)
		}
	}
	fmt.Println("## BPM: estimate within ±2 of truth (20 s AAC tracks, 70-180 step 5)")
	fmt.Println("| sound | within ±2 | tracks |")
	fmt.Println("|---|---:|---:|")
	all, n := 0, 0
	for _, k := range kinds {
		fmt.Printf("| %s | %d | %d |\n", k, ok[k], total[k])
		all += ok[k]
		n += total[k]
	}
	fmt.Printf("| all | %d (%.1f %%) | %d |\n", all, 100*float64(all)/float64(n), n)
	fmt.Println("misses:", strings.Join(misses, ", "))
	return nil
}

// labels cycle through the element types so that consecutive cues never
// merge into one element: every generated segment is measured alone.
var labels = []string{"【钩子】", "【冲突】", "【证言】", "【转化】", "【故事】"}

var classes = []string{
	element.CameraPushIn, element.CameraPullOut, element.CameraPanLeft, element.CameraPanRight,
	element.CameraTiltUp, element.CameraTiltDown, element.CameraStatic, element.CameraHandheld,
}

// benchCamera: one clip with every class once per texture, then mixed clips
// of four random movements; accuracy per element and per class.
func benchCamera(ctx context.Context, dir string, mixed int) error {
	type clip struct {
		spec synth.Spec
		name string
	}
	var clips []clip
	for i, tex := range []string{"mandelbrot", "blend"} {
		segs := make([]synth.Segment, len(classes))
		for j, c := range classes {
			segs[j] = synth.Segment{Camera: c, Seconds: 3, Text: fmt.Sprintf("%s第%d段文案", labels[j%len(labels)], j+1)}
		}
		clips = append(clips, clip{synth.Spec{Segments: segs, BPM: 120, Texture: tex, Seed: i}, "all-" + tex})
	}
	r := rand.New(rand.NewSource(12))
	for i := 0; i < mixed; i++ {
		segs := make([]synth.Segment, 4)
		for j := range segs {
			segs[j] = synth.Segment{Camera: classes[r.Intn(len(classes))], Seconds: 2 + float64(r.Intn(3)), Text: fmt.Sprintf("%s第%d段文案", labels[j%len(labels)], j+1)}
		}
		tex := "mandelbrot"
		if i%3 == 2 {
			tex = "blend"
		}
		clips = append(clips, clip{synth.Spec{Segments: segs, BPM: 100, Texture: tex, Seed: i + 2}, fmt.Sprintf("mixed-%02d-%s", i, tex)})
	}
	ok, total := map[string]int{}, map[string]int{}
	confusion := map[string]int{}
	var (
		parseTime time.Duration
		wrong     []string
	)
	for _, c := range clips {
		p := filepath.Join(dir, c.name+".mp4")
		if err := synth.Make(ctx, "ffmpeg", p, c.spec); err != nil {
			return err
		}
		t0 := time.Now()
		assets, err := element.ParseFile(p, element.ParseOptions{})
		parseTime += time.Since(t0)
		if err != nil {
			return err
		}
		els := assets[0].Elements
		// Each cue is one element (labels alternate); find it by time.
		start := 0.0
		for _, s := range c.spec.Segments {
			got := cameraAt(els, int64(start*1000), int64((start+s.Seconds)*1000))
			total[s.Camera]++
			if got == s.Camera {
				ok[s.Camera]++
			} else {
				confusion[s.Camera+"→"+got]++
				wrong = append(wrong, fmt.Sprintf("%s %g-%gs", c.name, start, start+s.Seconds))
			}
			start += s.Seconds
		}
		remove(p)
	}
	fmt.Printf("## Camera: per-element accuracy (%d clips, 640x360 25 fps, 2-5 s elements)\n", len(clips))
	fmt.Println("| movement | correct | elements |")
	fmt.Println("|---|---:|---:|")
	all, n := 0, 0
	for _, c := range classes {
		fmt.Printf("| %s | %d | %d |\n", c, ok[c], total[c])
		all += ok[c]
		n += total[c]
	}
	fmt.Printf("| all | %d (%.1f %%) | %d |\n", all, 100*float64(all)/float64(n), n)
	var conf []string
	for k, v := range confusion {
		conf = append(conf, fmt.Sprintf("%s ×%d", k, v))
	}
	sort.Strings(conf)
	fmt.Println("errors:", strings.Join(conf, ", "), "at", strings.Join(wrong, ", "))
	fmt.Printf("parse time: %.1f s for %d clips\n", parseTime.Seconds(), len(clips))
	return nil
}

// cameraAt measures the camera of one cue's range the way the importer does
// for an element (elements may span several generated cues).
func cameraAt(els []element.Element, s, e int64) string {
	for _, el := range els {
		if el.StartMs != nil && *el.StartMs == s && el.EndMs != nil && *el.EndMs == e {
			c, _ := el.Attributes[element.AttrCamera].(string)
			return c
		}
	}
	return "(merged)"
}

// benchImport60 makes a 60-second 1080p clip with a subtitle stream and
// times parsing it (and `elib import` when a binary is given).
func benchImport60(ctx context.Context, dir, elib string) error {
	var segs []synth.Segment
	r := rand.New(rand.NewSource(60))
	for i := 0; i < 15; i++ {
		segs = append(segs, synth.Segment{Camera: classes[r.Intn(len(classes))], Seconds: 4, Text: fmt.Sprintf("【故事】第%d句口播文案，讲讲这个产品", i+1)})
	}
	p := filepath.Join(dir, "sixty-1080p.mp4")
	t0 := time.Now()
	if err := synth.Make(ctx, "ffmpeg", p, synth.Spec{Segments: segs, Width: 1920, Height: 1080, FPS: 30, BPM: 124, Sound: synth.SoundDrumsVoice}); err != nil {
		return err
	}
	fmt.Printf("## 60 s 1080p30 import (generated in %.0f s)\n", time.Since(t0).Seconds())
	for i := 0; i < 3; i++ {
		t0 = time.Now()
		assets, err := element.ParseFile(p, element.ParseOptions{})
		if err != nil {
			return err
		}
		fmt.Printf("parse (probe + subtitles + bpm + motion + scdet): %.2f s, %d elements, bgm_bpm %v\n",
			time.Since(t0).Seconds(), len(assets[0].Elements), assets[0].Meta[element.AttrBGMBPM])
	}
	if elib != "" {
		lib := filepath.Join(dir, "lib")
		if out, err := exec.CommandContext(ctx, elib, "--library", lib, "init").CombinedOutput(); err != nil {
			return fmt.Errorf("elib init: %v: %s", err, out)
		}
		t0 = time.Now()
		out, err := exec.CommandContext(ctx, elib, "--library", lib, "import", p).CombinedOutput()
		if err != nil {
			return fmt.Errorf("elib import: %v: %s", err, out)
		}
		fmt.Printf("elib import (process start, dictionary load, parse, index): %.2f s\n", time.Since(t0).Seconds())
	}
	return nil
}
