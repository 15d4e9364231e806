package server

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// checkBuckets are the upper bounds (seconds) of the check latency histogram.
var checkBuckets = [...]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// metrics holds the server's counters; exposed in Prometheus text format
// (version 0.0.4) by hand to avoid a heavy client dependency.
type metrics struct {
	mu           sync.Mutex
	checks       map[string]uint64 // by verdict
	checkErrors  uint64
	buckets      [len(checkBuckets)]uint64
	checkSum     float64
	checkCount   uint64
	requests     map[routeStatus]uint64
	importAssets uint64
	importElems  uint64
	mediaJobs    uint64
	mediaErrors  uint64
	mediaSeconds float64

	// stats caches the library's Stats for a few seconds: computing it may
	// walk the library.
	statsAt  time.Time
	statsVal libraryGauges
}

type routeStatus struct {
	route  string
	status int
}

type libraryGauges struct {
	assets, elements int
	byType           map[string]int
	diskBytes        int64
	ok               bool
}

func newMetrics() *metrics {
	return &metrics{checks: map[string]uint64{"pass": 0, "reject": 0}, requests: map[routeStatus]uint64{}}
}

func (m *metrics) request(route string, status int) {
	m.mu.Lock()
	m.requests[routeStatus{route, status}]++
	m.mu.Unlock()
}

func (m *metrics) checked(verdict string, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checks[verdict]++
	m.checkSum += sec
	m.checkCount++
	for i, b := range checkBuckets {
		if sec <= b {
			m.buckets[i]++
		}
	}
}

func (m *metrics) checkFailed() {
	m.mu.Lock()
	m.checkErrors++
	m.mu.Unlock()
}

func (m *metrics) imported(assets, elements int) {
	m.mu.Lock()
	m.importAssets += uint64(assets)
	m.importElems += uint64(elements)
	m.mu.Unlock()
}

func (m *metrics) mediaJob(d time.Duration, err error) {
	m.mu.Lock()
	m.mediaJobs++
	m.mediaSeconds += d.Seconds()
	if err != nil {
		m.mediaErrors++
	}
	m.mu.Unlock()
}

// statsTTL is how long library gauges are cached.
const statsTTL = 5 * time.Second

func (s *Server) libraryGauges() libraryGauges {
	m := s.metrics
	m.mu.Lock()
	if m.statsVal.ok && s.opts.Now().Sub(m.statsAt) < statsTTL {
		g := m.statsVal
		m.mu.Unlock()
		return g
	}
	m.mu.Unlock()
	var g libraryGauges
	if st, err := s.opts.Library.Stats(); err == nil {
		g.assets, g.elements, g.diskBytes, g.ok = st.Assets, st.Elements, st.DiskBytes, true
		g.byType = map[string]int{}
		for t, n := range st.ByType {
			g.byType[string(t)] = n
		}
	} else {
		s.opts.Logger.Warn("library stats for /metrics", "err", err)
	}
	m.mu.Lock()
	m.statsVal, m.statsAt = g, s.opts.Now()
	m.mu.Unlock()
	return g
}

// handleMetrics is GET /metrics.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	lib := s.libraryGauges()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	s.metrics.write(bw, lib)
	_ = bw.Flush()
}

func (m *metrics) write(w io.Writer, lib libraryGauges) {
	m.mu.Lock()
	defer m.mu.Unlock()
	family := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	family("elib_checks_total", "counter", "Assets checked, by verdict.")
	for _, v := range sortedKeys(m.checks) {
		fmt.Fprintf(w, "elib_checks_total{verdict=%s} %d\n", quoteLabel(v), m.checks[v])
	}
	family("elib_check_errors_total", "counter", "Checks that failed with an error.")
	fmt.Fprintf(w, "elib_check_errors_total %d\n", m.checkErrors)
	family("elib_check_duration_seconds", "histogram", "Time to check one asset.")
	for i, b := range checkBuckets {
		fmt.Fprintf(w, "elib_check_duration_seconds_bucket{le=%q} %d\n", formatFloat(b), m.buckets[i])
	}
	fmt.Fprintf(w, "elib_check_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.checkCount)
	fmt.Fprintf(w, "elib_check_duration_seconds_sum %s\n", formatFloat(m.checkSum))
	fmt.Fprintf(w, "elib_check_duration_seconds_count %d\n", m.checkCount)

	family("elib_http_requests_total", "counter", "HTTP requests by route and status code.")
	keys := make([]routeStatus, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	for _, k := range keys {
		fmt.Fprintf(w, "elib_http_requests_total{route=%s,code=\"%d\"} %d\n", quoteLabel(k.route), k.status, m.requests[k])
	}
	family("elib_import_assets_total", "counter", "Assets imported through the API.")
	fmt.Fprintf(w, "elib_import_assets_total %d\n", m.importAssets)
	family("elib_import_elements_total", "counter", "Elements imported through the API.")
	fmt.Fprintf(w, "elib_import_elements_total %d\n", m.importElems)

	family("elib_media_jobs_total", "counter", "Uploaded videos parsed (probe, subtitles, tempo, motion).")
	fmt.Fprintf(w, "elib_media_jobs_total %d\n", m.mediaJobs)
	family("elib_media_job_errors_total", "counter", "Uploaded videos refused or failed.")
	fmt.Fprintf(w, "elib_media_job_errors_total %d\n", m.mediaErrors)
	family("elib_media_job_seconds_total", "counter", "Time spent on uploaded videos.")
	fmt.Fprintf(w, "elib_media_job_seconds_total %s\n", formatFloat(m.mediaSeconds))

	family("elib_library_assets", "gauge", "Assets in the library.")
	fmt.Fprintf(w, "elib_library_assets %d\n", lib.assets)
	if lib.ok {
		family("elib_library_elements", "gauge", "Elements in the library.")
		fmt.Fprintf(w, "elib_library_elements %d\n", lib.elements)
		family("elib_library_elements_by_type", "gauge", "Elements in the library by type.")
		for _, t := range sortedKeys(lib.byType) {
			fmt.Fprintf(w, "elib_library_elements_by_type{type=%s} %d\n", quoteLabel(t), lib.byType[t])
		}
		family("elib_library_disk_bytes", "gauge", "Bytes the library uses on disk.")
		fmt.Fprintf(w, "elib_library_disk_bytes %d\n", lib.diskBytes)
	}
	family("elib_goroutines", "gauge", "Goroutines in the server process.")
	fmt.Fprintf(w, "elib_goroutines %d\n", runtime.NumGoroutine())
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// quoteLabel quotes a label value per the exposition format (backslash,
// double quote and newline escaped).
func quoteLabel(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
