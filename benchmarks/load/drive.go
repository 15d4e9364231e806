package main

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// load is one run of concurrent clients, each sending requests until
// requests have been sent in all: the same driver measures one server, a
// round-robin over several, and a mix of checks and searches.
type load struct {
	clients  int
	requests int
	// think makes each client wait this long (±50 %, random) between its
	// requests; 0 saturates the servers.
	think time.Duration
	seed  uint64
	// dial opens one client's connections: send sends request i (0 ≤ i <
	// requests) and returns the status and body; close releases them.
	dial func() (send func(i int) (int, []byte, error), close func())
	// kind names request i's kind ("check", "search") for per-kind
	// latencies; nil: all are checks.
	kind func(i int) string
}

// outcome is what a load run measured. A request is an error unless it
// answered 200.
type outcome struct {
	wall     time.Duration
	lat      []time.Duration // by request index
	sent     []time.Duration // by request index: when it was sent, from the start
	kinds    []string        // by request index
	errors   int64
	rejected int64 // checks answered with a reject verdict
	firstErr string
}

// run sends the load and waits for its last answer.
func (l load) run() outcome {
	out := outcome{lat: make([]time.Duration, l.requests), sent: make([]time.Duration, l.requests), kinds: make([]string, l.requests)}
	var next, errs, rejected atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < l.clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(l.seed, uint64(c)))
			send, done := l.dial()
			defer done()
			for {
				if l.think > 0 {
					time.Sleep(l.think/2 + time.Duration(rng.Int64N(int64(l.think))))
				}
				i := int(next.Add(1)) - 1
				if i >= l.requests {
					return
				}
				out.kinds[i] = "check"
				if l.kind != nil {
					out.kinds[i] = l.kind(i)
				}
				t0 := time.Now()
				out.sent[i] = t0.Sub(start)
				status, body, err := send(i)
				out.lat[i] = time.Since(t0)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("HTTP %d: %.200s", status, body)
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s %d: %v", out.kinds[i], i, err))
					continue
				}
				if bytes.Contains(body, []byte(`"verdict": "reject"`)) {
					rejected.Add(1)
				}
			}
		}(c)
	}
	wg.Wait()
	out.wall = time.Since(start)
	out.errors, out.rejected = errs.Load(), rejected.Load()
	if v := firstErr.Load(); v != nil {
		out.firstErr = v.(string)
	}
	return out
}

// of returns the latencies of the requests of one kind.
func (o outcome) of(kind string) []time.Duration {
	var lat []time.Duration
	for i, k := range o.kinds {
		if k == kind {
			lat = append(lat, o.lat[i])
		}
	}
	return lat
}

// summary is the latency distribution of a set of requests.
type summary struct {
	Requests   int     `json:"requests"`
	Throughput float64 `json:"requests_per_second"`
	P50Ms      float64 `json:"p50_ms"`
	P90Ms      float64 `json:"p90_ms"`
	P99Ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
}

// summarize returns the quantiles of lat, answered within wall.
func summarize(lat []time.Duration, wall time.Duration) summary {
	if len(lat) == 0 {
		return summary{}
	}
	lat = append([]time.Duration(nil), lat...)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 {
		return ms(lat[max(0, min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1))])
	}
	return summary{Requests: len(lat), Throughput: round(float64(len(lat))/wall.Seconds(), 1),
		P50Ms: q(0.50), P90Ms: q(0.90), P99Ms: q(0.99), MaxMs: ms(lat[len(lat)-1])}
}

// rawRequest returns the bytes of one HTTP/1.1 request to host (a JSON
// body when body is not nil) for rawClient.do.
func rawRequest(method, path, host string, body []byte) []byte {
	if body == nil {
		return fmt.Appendf(nil, "%s %s HTTP/1.1\r\nHost: %s\r\n\r\n", method, path, host)
	}
	return fmt.Appendf(nil, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		method, path, host, len(body), body)
}

// slowTimeline returns, for each step of the run in which a request slower
// than slow was sent, the step's start, the requests sent in it and how
// many of them were slow.
func (o outcome) slowTimeline(slow, step time.Duration) []timelineStep {
	var steps []timelineStep
	for i, lat := range o.lat {
		at := o.sent[i].Truncate(step)
		k, found := slices.BinarySearchFunc(steps, at, func(s timelineStep, t time.Duration) int { return cmp.Compare(s.At, t) })
		if !found {
			steps = slices.Insert(steps, k, timelineStep{At: at})
		}
		steps[k].Sent++
		if lat > slow {
			steps[k].Slow++
		}
	}
	return slices.DeleteFunc(steps, func(s timelineStep) bool { return s.Slow == 0 })
}

// timelineStep is one step of slowTimeline.
type timelineStep struct {
	At         time.Duration
	Sent, Slow int
}
