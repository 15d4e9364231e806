package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/corpus"
	"elib/element"
	"elib/index"
	"elib/internal/elibtest"
	"elib/library/kit"
)

// Library scripts of the test fixture, by asset id.
var fixtureScripts = map[string]string{
	"lib/wardrobe.txt": `# 胶囊衣橱
【钩子】你是不是每天早上都为了挑衣服烦恼半小时？
【冲突】衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好。
【证言】我用了这套胶囊衣橱搭配方案整整三个月，亲测每天出门只要五分钟，同事都夸我气色变好了。
【转化】点击下方链接下单，今天直播间限时立减五十元，前一百名还送真丝发圈。`,
	"lib/spatula.txt": `# 硅胶锅铲
【钩子】千万别再用钢丝球刷不粘锅了！
【冲突】涂层一刮就花，炒菜粘底还冒黑烟，换一口新锅又要好几百块。
【证言】我妈用了这支硅胶锅铲半年，锅底还是光亮如新，煎蛋一点都不粘。
【转化】现在下单两支只要二十九块九，库存不多，赶紧点击左下角小黄车。`,
	"lib/handwarmer.txt": `# 暖手宝
【故事】去年冬天我一个人搬到北方的小城，暖气还没来，晚上冷得睡不着。楼下便利店的阿姨塞给我一个暖手宝，说是她女儿留下的。那一晚我抱着它，第一次觉得这座城市也有温度。
【转化】同款暖手宝已经上架，点击链接就能把这份温暖带回家。`,
	"lib/xss.txt": `# <b>防晒</b>
【钩子】防晒喷雾<img src=x onerror=alert(2)>千万别乱喷，先看完这条再出门。`,
}

// rejectScript copies three elements of lib/wardrobe.txt verbatim.
const rejectScript = `【钩子】你是不是每天早上都为了挑衣服烦恼半小时？
【冲突】衣柜塞得满满当当，可是出门前总觉得没有一件能穿，通勤路上还被同事问是不是没睡好。
【证言】我用了这套胶囊衣橱搭配方案整整三个月，亲测每天出门只要五分钟，同事都夸我气色变好了。
【转化】评论区扣一，我把整套搭配清单发给你。`

// passScript is original.
const passScript = `【钩子】你知道为什么跑步总是膝盖疼吗？
【冲突】很多人以为是跑得太多，其实问题出在鞋底的缓震上。
【证言】我换了这双碳板跑鞋以后，十公里下来膝盖一点都不酸。
【转化】评论区留言跑鞋，我把尺码对照表发给你。`

// xssScript carries markup that must stay text everywhere.
const xssScript = `【钩子】<script>alert(1)</script>你还在为选面霜发愁吗？
【冲突】<img src=x onerror=alert(1)>试了十几款都没用，脸还是又干又痒。`

// parseScript parses a labelled script as asset id.
func parseScript(t testing.TB, id, text string) element.Asset {
	t.Helper()
	assets, err := element.Parse(id, []byte(text), element.ParseOptions{Format: "txt", ID: id})
	require.NoError(t, err)
	require.Len(t, assets, 1)
	return assets[0]
}

func fixtureAssets(t testing.TB) []element.Asset {
	var assets []element.Asset
	for _, id := range []string{"lib/wardrobe.txt", "lib/spatula.txt", "lib/handwarmer.txt", "lib/xss.txt"} {
		assets = append(assets, parseScript(t, id, fixtureScripts[id]))
	}
	return assets
}

// fixtureLibrary builds the test library on disk (with its full-text
// index), opened writable as `elib serve` does with ELIB_TOKEN set.
func fixtureLibrary(t testing.TB) kit.Library {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	lib, err := index.Open(index.Options{Dir: dir, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	_, err = lib.Import(context.Background(), fixtureAssets(t))
	require.NoError(t, err)
	return lib
}

// memoryLibrary builds the test library in memory, like the embedded
// sample library.
func memoryLibrary(t testing.TB) kit.Library {
	t.Helper()
	lib, err := index.Memory(context.Background(), elibtest.Engine(t), fixtureAssets(t))
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	return lib
}

// newTestServer serves the fixture library; mod adjusts the options.
func newTestServer(t testing.TB, mod func(*Options)) (*Server, *httptest.Server) {
	t.Helper()
	opts := Options{
		Library: fixtureLibrary(t), Engine: elibtest.Engine(t), LibraryDesc: "test library",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test",
	}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// do sends a request and returns status and body.
func do(t testing.TB, method, url, contentType, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// sampleDiskLibrary is the embedded sample library imported into a file
// library (bleve search), open as its writer.
func sampleDiskLibrary(t *testing.T) *index.Library {
	t.Helper()
	assets, err := corpus.SampleAssets()
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, index.Init(dir))
	lib, err := index.Open(index.Options{Dir: dir, Engine: elibtest.Engine(t)})
	require.NoError(t, err)
	t.Cleanup(func() { lib.Close() })
	_, err = lib.Import(context.Background(), assets)
	require.NoError(t, err)
	return lib
}
