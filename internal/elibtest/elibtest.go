// Package elibtest holds the fingerprint engine the tests of several
// packages share: its tokenizer loads once per test binary. (The paths of
// the development data are in internal/devdata, which imports nothing of
// elib, so the fingerprint packages' own tests can use it too.)
package elibtest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"elib/element"
	"elib/fingerprint"
	"elib/fingerprint/wordseg"
)

var engine = sync.OnceValues(func() (*fingerprint.Engine, error) {
	seg, err := wordseg.Default()
	if err != nil {
		return nil, err
	}
	return fingerprint.New(fingerprint.Options{}, seg)
})

// Engine returns the default fingerprint engine, built once per test
// binary (loading the tokenizer takes about a second).
func Engine(t testing.TB) *fingerprint.Engine {
	t.Helper()
	e, err := engine()
	require.NoError(t, err)
	return e
}

// Script builds an asset from (type, text) pairs, with the metadata and
// attributes the library tests filter and facet on.
func Script(id, title string, parts ...string) element.Asset {
	a := element.Asset{ID: id, Title: title, Meta: map[string]any{"platform": "抖音", "campaign": "双11"}}
	for i := 0; i+1 < len(parts); i += 2 {
		a.Elements = append(a.Elements, element.Element{Type: element.Type(parts[i]), Text: parts[i+1],
			Attributes: map[string]any{"camera": "推近", "bgm_bpm": 128}})
	}
	a.Reoffset()
	return a
}

// Copy text of the library tests' sample assets.
const (
	HookRun  = "你是不是还在为跑步膝盖疼发愁？每次跑完五公里膝盖就酸得不行"
	ConvRun  = "点击下方链接，今天下单立减五十元，限时三天，直播间还有赠品"
	TestiRun = "我用了三个月，亲测膝盖再也不疼了，已经回购第二双，真的好评"
	HookCook = "千万别再用普通锅煎牛排了，粘锅又难洗，厨房里油烟到处都是"
	StoryCar = "那天凌晨两点，我一个人开车在高速上，突然仪表盘亮起了警告灯，服务区还在三十公里外"
)

// SampleAssets are three small scripts (running shoes, a steak pan, a car
// pump) every library backend's tests import.
func SampleAssets() []element.Asset {
	return []element.Asset{
		Script("run/a.txt", "跑鞋", "hook", HookRun, "testimonial", TestiRun, "conversion", ConvRun),
		Script("cook/b.txt", "牛排锅", "hook", HookCook, "conversion", "点击链接下单，新人专享价九十九元，送硅胶铲"),
		Script("car/c.txt", "车载充气泵", "story", StoryCar, "conversion", "直播间下单送收纳包，现在下单立减三十"),
	}
}

// Must returns v, panicking when err is not nil: a library read in a
// test that has no reason to fail (elibtest.Must(lib.AssetCount())).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
