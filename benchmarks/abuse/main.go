// Command abuse is the bounded abuse test of `elib serve` (issue 15): it
// starts the real elib binary on a library, on loopback, and for -duration
// (at most 60 s) sends the requests of the hardening review — deep and
// wide meta, 12 deep assets in one request, 8,000- and 16,000-character
// search queries, 8 MiB and near-limit checks, invalid-UTF-8 and
// control-character ids, DNS-rebinding Host headers, cross-site posts —
// together with normal checks from a few clients. It reports the server's
// peak RSS (VmHWM from /proc), the normal checks' p50/p99 and statuses,
// what each abuse got back, and the library's asset count before and
// after (it must not change).
//
// With -media (issue 20) it also uploads hostile media made at start with
// ffmpeg (media/synth): a Matroska file claiming a 1×65535 frame, HLS,
// live-HLS and ffconcat playlists saved as .mp4 naming a server-side
// clip, 30 and 14 minutes of FLAC silence, 500 s of a 4K still picture,
// several of each at once, beside a normal video upload; and it asks
// /v1/stats for ever new periods, same-site and cross-site. The server
// runs with its own TMPDIR, which must be free of elib-* files at the
// end, and no ffmpeg may outlive the run.
//
// Data enters as an existing library (build one with benchmarks/load
// -build-only) and leaves as a report on stdout.
//
//	go build -o /tmp/elib ./cmd/elib
//	go run ./benchmarks/abuse -elib /tmp/elib -library /tmp/elib-load-100k
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// options are the program's flags.
type options struct {
	elib     string
	library  string
	duration time.Duration
	clients  int
	think    time.Duration
	rssBound int64
	heavy    bool
	media    bool
	// tmp is the server's TMPDIR (set by run).
	tmp string
}

func main() {
	var o options
	flag.StringVar(&o.elib, "elib", "elib", "the elib binary to run")
	flag.StringVar(&o.library, "library", os.TempDir()+"/elib-load-100k", "library to serve (build it with benchmarks/load -build-only)")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long the abuse runs (at most 60 s)")
	flag.IntVar(&o.clients, "clients", 4, "clients sending normal checks")
	flag.DurationVar(&o.think, "think", 100*time.Millisecond, "pause of a normal client between checks")
	flag.Int64Var(&o.rssBound, "rss-bound", 1<<30, "fail when the server's peak RSS exceeds this many bytes")
	flag.BoolVar(&o.heavy, "heavy", true, "also send the heavy requests that are within every limit (140 KB checks, 400-character searches): they take the check slots for seconds, as they may")
	flag.BoolVar(&o.media, "media", true, "also send hostile media uploads and stats requests (issue 20; needs ffmpeg)")
	flag.Parse()
	if o.duration > 60*time.Second {
		o.duration = 60 * time.Second
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "abuse: %v\n", err)
		os.Exit(1)
	}
}

const token = "abuse-test-token-0123456789"

// server is the running elib serve process.
type server struct {
	cmd  *exec.Cmd
	base string
	host string
}

func start(o options) (*server, error) {
	cmd := exec.Command(o.elib, "--library", o.library, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "ELIB_TOKEN="+token, "NO_COLOR=1", "TMPDIR="+o.tmp)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", o.elib, err)
	}
	re := regexp.MustCompile(`on http://([0-9.:]+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case addr := <-found:
		return &server{cmd: cmd, base: "http://" + addr, host: addr}, nil
	case <-time.After(5 * time.Minute):
		_ = cmd.Process.Kill()
		return nil, errors.New("server did not start")
	}
}

// rss reads VmRSS and VmHWM (bytes) of pid.
func rss(pid int) (cur, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return cur, peak
}

// abuse is one kind of hostile request, sent in a loop by one goroutine.
type abuse struct {
	name string
	send func(c *http.Client, s *server) (int, error)
	// heavy marks requests within every limit that still take a slot for
	// seconds (see -heavy).
	heavy bool
	// copies is how many clients send it at once (default 1).
	copies int
}

// tally counts statuses per abuse.
type tally struct {
	mu     sync.Mutex
	counts map[string]map[int]int
	errs   map[string]string
}

func (t *tally) add(name string, status int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts[name] == nil {
		t.counts[name] = map[int]int{}
	}
	if err != nil {
		t.counts[name][0]++
		t.errs[name] = err.Error()
		return
	}
	t.counts[name][status]++
}

func do(c *http.Client, method, u, ct string, body []byte, hdr map[string]string) (int, error) {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func deep(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }

func jsonBody(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// script is a ~300-character labelled script; i varies it.
func script(i int) string {
	return fmt.Sprintf("【钩子】第%d次：你是不是每天早上都为了挑衣服烦恼半小时？\n【冲突】衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好，编号%d。\n【证言】我用了这套胶囊衣橱搭配方案整整三个月，亲测每天出门只要五分钟，同事都夸我气色变好了。\n【转化】点击下方链接下单，今天直播间限时立减五十元，前一百名还送真丝发圈，库存不多赶紧入手。", i, i*7919)
}

func abuses() []abuse {
	auth := map[string]string{"Authorization": "Bearer " + token}
	deepAsset := `{"id":"d","meta":` + deep(9000) + `,"text":"你好"}`
	var twelve []string
	for i := 0; i < 12; i++ {
		twelve = append(twelve, fmt.Sprintf(`{"id":"d%d","meta":%s,"text":"你好"}`, i, deep(9000)))
	}
	twelveBody := jsonBody(map[string]string{"format": "json", "text": "[" + strings.Join(twelve, ",") + "]"})
	oneLetter := jsonBody(map[string]string{"text": strings.Repeat("a", 900_000)})
	var nearLimit strings.Builder
	for i := 0; nearLimit.Len() < 140_000; i++ {
		nearLimit.WriteString(script(i))
		nearLimit.WriteString("\n")
	}
	near := jsonBody(map[string]string{"text": nearLimit.String()})
	huge := jsonBody(map[string]string{"text": strings.Repeat("你是不是还在熬夜", 360_000)})
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", "form-data; name=\"file\"; filename=\"\xff\xfe.txt\"")
	fw, _ := mw.CreatePart(h)
	_, _ = io.WriteString(fw, script(1))
	_ = mw.Close()
	mpBody, mpType := mp.Bytes(), mw.FormDataContentType()
	return []abuse{
		{"split 9000-deep meta (72 KB)", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/split", "application/json", jsonBody(map[string]string{"format": "json", "text": deepAsset}), nil)
		}, false, 0},
		{"split 12 deep assets (866 KB)", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/split", "application/json", twelveBody, nil)
		}, false, 0},
		{"import 9000-deep meta", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/import", "application/json", []byte(deepAsset), auth)
		}, false, 0},
		{"search q of 8,000 chars", func(c *http.Client, s *server) (int, error) {
			return do(c, "GET", s.base+"/v1/search?q="+url.QueryEscape(strings.Repeat("链接 ", 2000)), "", nil, nil)
		}, false, 0},
		{"search q of 16,000 chars", func(c *http.Client, s *server) (int, error) {
			return do(c, "GET", s.base+"/v1/search?q="+url.QueryEscape(strings.Repeat("下单 ", 4000)), "", nil, nil)
		}, false, 0},
		{"search q of 400 chars", func(c *http.Client, s *server) (int, error) {
			return do(c, "GET", s.base+"/v1/search?q="+url.QueryEscape(strings.Repeat("链接 ", 133)), "", nil, nil)
		}, true, 0},
		{"check 8 MiB body", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/check", "application/json", huge, nil)
		}, false, 0},
		{"check 900 KB of one letter", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/check", "application/json", oneLetter, nil)
		}, false, 0},
		{"check 140 KB script (near the limits)", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/check", "application/json", near, nil)
		}, true, 0},
		{"check 140 KB script, 2nd client", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/check", "application/json", near, nil)
		}, true, 0},
		{"import invalid-UTF-8 file name", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/import", mpType, mpBody, auth)
		}, false, 0},
		{"import control-character id", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/import", "application/json", []byte(`{"id":"a\u0007b","text":"你好"}`), auth)
		}, false, 0},
		{"rebinding Host: search", func(c *http.Client, s *server) (int, error) {
			return do(c, "GET", s.base+"/v1/search?q=链接", "", nil, map[string]string{"Host": "rebind.attacker.example"})
		}, false, 0},
		{"cross-site text/plain check", func(c *http.Client, s *server) (int, error) {
			return do(c, "POST", s.base+"/v1/check", "text/plain", []byte(script(3)), map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://attacker.example"})
		}, false, 0},
	}
}

func assetCount(c *http.Client, s *server) (int, error) {
	resp, err := c.Get(s.base + "/healthz")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var h struct{ Assets int }
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		return 0, err
	}
	return h.Assets, nil
}

func run(o options) error {
	tmp, err := os.MkdirTemp("", "abuse-tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	o.tmp = tmp
	all := abuses()
	if o.media {
		dir, err := os.MkdirTemp("", "abuse-media-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		t0 := time.Now()
		m, err := mediaAbuses(dir)
		if err != nil {
			return fmt.Errorf("make hostile media: %w", err)
		}
		fmt.Printf("hostile media made in %s\n", time.Since(t0).Round(time.Second))
		all = append(all, m...)
	}
	s, err := start(o)
	if err != nil {
		return err
	}
	defer func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	}()
	pid := s.cmd.Process.Pid
	client := &http.Client{Timeout: 90 * time.Second}
	before, err := assetCount(client, s)
	if err != nil {
		return fmt.Errorf("healthz: %w", err)
	}
	_, startRSS := rss(pid)
	// Warm up as a running server is: the first checks wait (at most 3 s)
	// for the library's fatigue, computed once in the background; the
	// abuse starts once a check is answered without that wait.
	warm := time.Now()
	for i := 0; ; i++ {
		t0 := time.Now()
		st, err := do(client, "POST", s.base+"/v1/check", "application/json", jsonBody(map[string]string{"text": script(-1 - i), "format": "txt"}), nil)
		if err == nil && st == http.StatusOK && time.Since(t0) < 500*time.Millisecond {
			break
		}
		if time.Since(warm) > 5*time.Minute {
			return errors.New("warm-up: no check answered within 500 ms for 5 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Printf("warm-up (fatigue computed) %s\n", time.Since(warm).Round(100*time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()
	var wg sync.WaitGroup
	t := &tally{counts: map[string]map[int]int{}, errs: map[string]string{}}
	for _, a := range all {
		if a.heavy && !o.heavy {
			continue
		}
		for range max(1, a.copies) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					st, err := a.send(client, s)
					t.add(a.name, st, err)
				}
			}()
		}
	}
	var (
		latMu   sync.Mutex
		lat     []time.Duration
		normal  = &tally{counts: map[string]map[int]int{}, errs: map[string]string{}}
		maxRSS  atomic.Int64
		samples atomic.Int64
	)
	for i := 0; i < o.clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				body := jsonBody(map[string]string{"text": script(i*100000 + n), "format": "txt"})
				start := time.Now()
				st, err := do(client, "POST", s.base+"/v1/check", "application/json", body, nil)
				d := time.Since(start)
				normal.add("normal check", st, err)
				if err == nil && st == http.StatusOK {
					latMu.Lock()
					lat = append(lat, d)
					latMu.Unlock()
				}
				time.Sleep(o.think)
			}
		}(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for ctx.Err() == nil {
			<-tick.C
			cur, _ := rss(pid)
			samples.Add(1)
			if cur > maxRSS.Load() {
				maxRSS.Store(cur)
			}
		}
	}()
	wg.Wait()
	_, peak := rss(pid)
	alive := s.cmd.ProcessState == nil && s.cmd.Process.Signal(syscall.Signal(0)) == nil
	// Jobs cut short by their deadline end within a few seconds.
	var left []string
	var children string
	for i := 0; i < 50; i++ {
		left, _ = filepath.Glob(filepath.Join(tmp, "elib-*"))
		out, _ := exec.Command("pgrep", "-P", strconv.Itoa(pid)).Output()
		children = strings.TrimSpace(string(out))
		if len(left) == 0 && children == "" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	after, err := assetCount(client, s)
	if err != nil {
		return fmt.Errorf("healthz after: %w", err)
	}

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("date %s, library %s, duration %s, %d normal clients (think %s), heavy %v\n", time.Now().UTC().Format(time.RFC3339), o.library, o.duration, o.clients, o.think, o.heavy)
	fmt.Printf("server RSS: at start (VmHWM) %d MB, sampled max %d MB, peak (VmHWM) %d MB, bound %d MB\n", startRSS>>20, maxRSS.Load()>>20, peak>>20, o.rssBound>>20)
	fmt.Printf("normal checks: %d answered 200, p50 %s, p95 %s, p99 %s, max %s; statuses %v\n", len(lat), pct(0.50).Round(time.Millisecond), pct(0.95).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond), normal.counts["normal check"])
	fmt.Printf("assets before %d, after %d\n", before, after)
	fmt.Printf("server alive at the end: %v; TMPDIR elib-* left: %d; child processes left: %q\n", alive, len(left), children)
	fmt.Println("abuse (status: count; 0 = transport error):")
	names := make([]string, 0, len(t.counts))
	for n := range t.counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("  %-40s %v", n, t.counts[n])
		if e := t.errs[n]; e != "" {
			fmt.Printf("  (last error: %.120s)", e)
		}
		fmt.Println()
	}
	var fails []string
	if peak > o.rssBound {
		fails = append(fails, fmt.Sprintf("peak RSS %d MB over the bound %d MB", peak>>20, o.rssBound>>20))
	}
	if after != before {
		fails = append(fails, fmt.Sprintf("asset count changed %d -> %d", before, after))
	}
	if len(lat) == 0 {
		fails = append(fails, "no normal check answered")
	}
	if !alive {
		fails = append(fails, "the server died")
	}
	if len(left) > 0 {
		fails = append(fails, fmt.Sprintf("temporary files left: %v", left))
	}
	if children != "" {
		fails = append(fails, "tool processes outlived the run: "+children)
	}
	if p99 := pct(0.99); p99 > time.Second {
		fails = append(fails, fmt.Sprintf("normal checks p99 %s over 1 s", p99.Round(time.Millisecond)))
	}
	if len(fails) > 0 {
		return errors.New(strings.Join(fails, "; "))
	}
	fmt.Println("PASS")
	return nil
}
