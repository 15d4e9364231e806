// Command dashboard times the web page's dashboard in headless Chromium
// against a running elib serve (issue 25: rendered in at most 2 s on a 1M
// library): from navigating to the page, through opening the dashboard
// tab (GET /v1/stats for the chosen period), to the figures and charts
// drawn (body[data-dashboard="ready"]). The browser starts before the
// clock does.
//
//	elib --library LIB serve --addr 127.0.0.1:7420 &
//	go run ./benchmarks/dashboard -url http://127.0.0.1:7420 -since 30d -runs 3
//
// -since takes what GET /v1/stats takes (30d, a date or a time); a value
// the page's period menu does not list is added to it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:7420", "the elib serve to load the page from")
	since := flag.String("since", "30d", "the dashboard period (the since of GET /v1/stats)")
	runs := flag.Int("runs", 3, "page loads, each in a fresh tab")
	chromium := flag.String("chromium", "/usr/bin/chromium", "the Chromium binary")
	flag.Parse()
	dir, err := os.MkdirTemp("", "dashboard-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(*chromium), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true))
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil {
		log.Fatalf("start %s: %v", *chromium, err)
	}
	choose := fmt.Sprintf(`(() => { const s = document.getElementById('period');
		if (![...s.options].some(o => o.value === %[1]q)) s.add(new Option(%[1]q, %[1]q));
		s.value = %[1]q; return s.value; })()`, *since)
	for i := 0; i < *runs; i++ {
		tctx, cancelT := chromedp.NewContext(bctx)
		tctx, cancelTO := context.WithTimeout(tctx, 5*time.Minute)
		start := time.Now()
		err := chromedp.Do(tctx,
			chromedp.Navigate(*url+"/"),
			chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		)
		var chosen, assets string
		if err == nil {
			chosen, err = chromedp.Run(tctx, chromedp.Evaluate[string](choose))
		}
		if err == nil {
			err = chromedp.Do(tctx,
				chromedp.Click(chromedp.CSS(`#tab-dashboard`)),
				chromedp.WaitVisible(chromedp.CSS(`body[data-dashboard="ready"]`)),
			)
		}
		if err == nil {
			assets, err = chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector('#dash-figures .figure[data-key="periodAssets"]').dataset.value`))
		}
		took := time.Since(start)
		cancelTO()
		cancelT()
		if err != nil {
			log.Fatalf("run %d: %v", i+1, err)
		}
		fmt.Printf("run %d: dashboard rendered in %.3f s (period %s, %s assets)\n", i+1, took.Seconds(), chosen, assets)
	}
}
