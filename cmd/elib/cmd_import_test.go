package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/api"
	"elib/index"
	"elib/index/manifest"
)

// buildElib builds the elib binary once per test into a temporary directory.
func buildElib(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the elib binary")
	}
	bin := filepath.Join(t.TempDir(), "elib")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

var phrases = []string{
	"你是不是还在为跑步膝盖疼发愁", "这双鞋的中底用了全新缓震材料", "我用了三个月亲测有效",
	"点击下方链接立减五十元", "限时三天直播间还有赠品", "千万别再用普通锅煎牛排了",
	"粘锅又难洗厨房里油烟到处都是", "那天凌晨两点我一个人开车在高速上", "仪表盘突然亮起了警告灯",
	"新人专享价九十九元送硅胶铲", "宝子们赶紧入库存不多了", "孩子写作业总是趴着看书",
	"护眼台灯的光线柔和不闪烁", "出差三天只带一个登机箱", "挂烫机五秒出蒸汽衬衫立刻平整",
}

// writeCorpus writes n labelled scripts named <prefix>-NN.txt into dir.
func writeCorpus(t *testing.T, dir, prefix string, n int, rng *rand.Rand) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	pick := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteString(phrases[rng.IntN(len(phrases))])
			b.WriteString("，")
		}
		fmt.Fprintf(&b, "编号%d。", rng.IntN(1_000_000))
		return b.String()
	}
	for i := 0; i < n; i++ {
		body := fmt.Sprintf("# %s %d\n【钩子】%s\n【冲突】%s\n【证言】%s\n【转化】%s\n", prefix, i, pick(1), pick(2), pick(2), pick(2))
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%02d.txt", prefix, i)), []byte(body), 0o644))
	}
}

// runKilled runs bin with args, kills it with SIGKILL after delay, and
// returns the stdout lines it printed before dying.
func runKilled(t *testing.T, bin string, delay time.Duration, args ...string) (lines []string, killed bool) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
		}
	}()
	timer := time.AfterFunc(delay, func() { _ = cmd.Process.Kill() })
	<-done
	err = cmd.Wait()
	killed = !timer.Stop()
	if !killed {
		require.NoError(t, err, "unkilled run must succeed")
	}
	return lines, killed
}

// verifyLibrary opens the library like a reader (checksums verified) and
// asserts that every id in want is stored.
func verifyLibrary(t *testing.T, dir string, want map[string]bool) {
	t.Helper()
	lib, err := index.Open(index.Options{Dir: dir, ReadOnly: true})
	require.NoError(t, err, "library must open after a kill")
	defer lib.Close()
	for id := range want {
		a, err := lib.Asset(id)
		if assert.NoError(t, err, "asset %s was reported imported", id) {
			assert.Len(t, a.Elements, 4)
		}
	}
	st, err := lib.Stats()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, st.Assets, len(want))
}

func TestDurabilityUnderSIGKILL(t *testing.T) {
	bin := buildElib(t)
	work := t.TempDir()
	lib := filepath.Join(work, "lib")
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"--library", lib}, args...)...)
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		return so.String(), se.String(), code
	}
	_, _, code := run("init")
	require.Equal(t, 0, code)

	rng := rand.New(rand.NewPCG(7, 11))
	done := map[string]bool{}
	kills := 0
	// stretch adapts the kill delays to the machine's speed: an import
	// killed before it reported anything doubles them, one that finished
	// first halves them, so kills keep landing in the middle of imports
	// rather than in process start-up or after the end.
	stretch := time.Duration(1)
	deadline := time.Now().Add(50 * time.Second)
	for round := 0; kills < 20 && time.Now().Before(deadline); round++ {
		if round%3 == 2 {
			// Kill a reindex.
			_, killed := runKilled(t, bin, stretch*time.Duration(150+rng.IntN(1300))*time.Millisecond,
				"--library", lib, "reindex", "--no-progress")
			if killed {
				kills++
			}
		} else {
			prefix := fmt.Sprintf("r%02d", round)
			dir := filepath.Join(work, "in", prefix)
			writeCorpus(t, dir, prefix, 12, rng)
			lines, killed := runKilled(t, bin, stretch*time.Duration(200+rng.IntN(1300))*time.Millisecond,
				"--library", lib, "import", "--batch", "8", "--no-progress", dir)
			if killed {
				kills++
			}
			reported := 0
			for _, l := range lines {
				if f, ok := strings.CutPrefix(l, "imported "+dir+string(filepath.Separator)); ok {
					// Ids are paths relative to the folder holding the library.
					done["in/"+prefix+"/"+strings.Fields(f)[0]] = true
					reported++
				}
			}
			switch {
			case killed && reported == 0 && stretch < 8:
				stretch *= 2
				deadline = deadline.Add(15 * time.Second)
			case !killed && stretch > 1:
				stretch /= 2 // finished before the kill: aim earlier again
			}
		}
		verifyLibrary(t, lib, done)
	}
	t.Logf("%d kills, %d assets reported imported (kill delays stretched %d×)", kills, len(done), stretch)
	assert.GreaterOrEqual(t, kills, 20)
	require.NotEmpty(t, done)

	// The library is still writable and consistent: a clean reindex works
	// and keeps everything reported.
	_, se, code := run("reindex", "--no-progress")
	require.Equal(t, 0, code, se)
	verifyLibrary(t, lib, done)
	out, _, code := run("stats", "--format", "json")
	require.Equal(t, 0, code)
	var before struct{ Assets int }
	require.NoError(t, json.Unmarshal([]byte(out), &before))

	t.Run("corrupted segment", func(t *testing.T) {
		// Import one more batch so there are two segments, then flip a byte
		// in the newest.
		dir := filepath.Join(work, "in", "last")
		writeCorpus(t, dir, "last", 3, rng)
		_, se, code := run("import", "--no-progress", dir)
		require.Equal(t, 0, code, se)
		m, err := manifest.Read(lib)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(m.Segments), 2)
		bad := filepath.Join(lib, m.Segments[len(m.Segments)-1].File)
		data, err := os.ReadFile(bad)
		require.NoError(t, err)
		data[len(data)/2] ^= 0x10
		require.NoError(t, os.WriteFile(bad, data, 0o644))

		_, se, code = run("stats")
		assert.Equal(t, 2, code)
		assert.Contains(t, se, bad, "the error names the corrupted file")
		assert.Contains(t, se, "corrupt")

		_, se, reindexCode := run("reindex", "--no-progress")
		assert.Contains(t, se, bad, "reindex reports what it dropped")
		out, se, code := run("stats", "--format", "json")
		require.Equal(t, 0, code, se)
		var st struct{ Assets int }
		require.NoError(t, json.Unmarshal([]byte(out), &st))
		// A repair that could not carry every asset over names them and
		// exits 2 (issue 15); one that recovered everything exits 0.
		if st.Assets < before.Assets+3 {
			assert.Equal(t, 2, reindexCode, se)
			assert.Contains(t, se, "could not be carried over")
		} else {
			assert.Equal(t, 0, reindexCode, se)
		}
		// Everything before the damaged batch survives; of its 3 assets,
		// those whose asset block still checks out are recovered too.
		assert.GreaterOrEqual(t, st.Assets, before.Assets)
		assert.LessOrEqual(t, st.Assets, before.Assets+3)
		verifyLibrary(t, lib, done)
	})
}

func TestLibraryCommands(t *testing.T) {
	dev := filepath.Join("..", "..", "..", "shared", "dev")
	if _, err := os.Stat(dev); err != nil {
		t.Skip("dev data not present")
	}
	ctx := context.Background()
	lib := filepath.Join(t.TempDir(), "lib")
	run := func(args ...string) (string, string, int) {
		var so, se strings.Builder
		code := execute(ctx, append([]string{"--library", lib}, args...), strings.NewReader(""), &so, &se)
		return so.String(), se.String(), code
	}
	_, se, code := run("stats")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "no library at")
	_, _, code = run("init")
	require.Equal(t, 0, code)
	_, se, code = run("init")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "already exists")

	bad := filepath.Join(t.TempDir(), "bad.srt")
	require.NoError(t, os.WriteFile(bad, []byte("1\nnot a timecode\nhello\n"), 0o644))
	out, se, code := run("import", "--format", "json", filepath.Join(dev, "library"), bad)
	assert.Equal(t, 2, code, "a bad file makes the exit code 2")
	assert.Contains(t, se, bad)
	var rep api.Import
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, 50, rep.Imported)
	assert.Equal(t, 210, rep.Elements)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, bad, rep.Errors[0].File)

	out, _, code = run("stats", "--format", "json")
	require.Equal(t, 0, code)
	var st api.Stats
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	assert.Equal(t, 50, st.Assets)
	assert.Equal(t, 210, st.Elements)
	assert.Equal(t, 50, st.ByType["hook"])

	// Re-import is idempotent: everything is replaced, nothing added.
	out, _, code = run("import", "--format", "json", filepath.Join(dev, "library"))
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 50, rep.Replaced)

	_, _, code = run("allowlist", "add", "--file", filepath.Join(dev, "boilerplate.txt"))
	require.Equal(t, 0, code)
	out, _, _ = run("allowlist", "list")
	assert.Contains(t, out, "请理性消费")
	_, _, code = run("allowlist", "remove", strings.Split(strings.TrimSpace(out), "\n")[0])
	require.Equal(t, 0, code)

	out, se, code = run("remove", "scripts/car-01.md", "no/such.txt")
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "removed 1")
	assert.Contains(t, se, "no/such.txt")

	// A second writer is refused while one holds the library.
	w, err := index.Open(index.Options{Dir: lib})
	require.NoError(t, err)
	_, se, code = run("remove", "scripts/car-02_车载香薰.md")
	assert.Equal(t, 2, code)
	assert.Contains(t, se, "locked by another writer (pid")
	out, _, code = run("stats", "--format", "json")
	assert.Equal(t, 0, code, "readers work while a writer holds the lock")
	require.NoError(t, w.Close())
	require.NoError(t, json.Unmarshal([]byte(out), &st))
	assert.Equal(t, 49, st.Assets)

	_, se, code = run("reindex", "--no-progress")
	require.Equal(t, 0, code, se)
	out, _, code = run("search", "膝盖")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "sport-01")
}
