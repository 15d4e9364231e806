package pack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"elib/check"
	"elib/corpus"
	"elib/element"
	"elib/fingerprint"
	"elib/index"
	"elib/internal/elibtest"
	"elib/pack"
)

var (
	engOnce sync.Once
	eng     *fingerprint.Engine
	engErr  error
)

func sample(t *testing.T) *index.Library {
	t.Helper()
	assets, err := corpus.SampleAssets()
	require.NoError(t, err)
	lib, err := index.Memory(context.Background(), elibtest.Engine(t), assets)
	require.NoError(t, err)
	require.NoError(t, lib.AllowlistAdd(corpus.Allowlist()...))
	t.Cleanup(func() { lib.Close() })
	return lib
}

func parse(t *testing.T, id, text string) element.Asset {
	t.Helper()
	as, err := element.Parse(id, []byte(text), element.ParseOptions{Format: "md", ID: id})
	require.NoError(t, err)
	require.Len(t, as, 1)
	return as[0]
}

const (
	conflict    = "小家伙六个月开始长牙，口水流个不停，抓到遥控器、手机都往嘴里塞，脏不说还容易磕到牙龈，看得人心惊胆战。"
	testimonial = "这个香蕉造型的牙胶是食品级硅胶做的，放冰箱冷藏十分钟再给她，凉凉的咬着很舒服，我女儿抱着它能安静玩半个小时。"
	conversion  = "今天点击下方链接，一套三个只要四十九，送防掉链和收纳盒，可以直接进开水消毒，满月礼物也很合适。"
	keptHook    = "长牙期的宝宝见什么咬什么？"
	newHook     = "宝宝长牙哭闹不停，当妈的能怎么办？"
	// otherConflict is the conflict of another library asset (bedding/sheets-03).
	otherConflict = "便宜的床单睡几次就起毛球，摸上去扎扎的，颜色洗两水就发白，换下来堆在柜子里，又舍不得扔。"
)

func variant(hook string, extra ...string) string {
	s := "[hook]\n" + hook + "\n[conflict]\n" + conflict + "\n[testimonial]\n" + testimonial + "\n[conversion]\n" + conversion + "\n"
	for _, e := range extra {
		s += "[conflict]\n" + e + "\n"
	}
	return s
}

func TestPackVariants(t *testing.T) {
	lib := sample(t)
	src, err := lib.Asset("baby/teether-05.txt")
	require.NoError(t, err)
	p, err := pack.New(src, pack.Options{})
	require.NoError(t, err)
	p.ID = "pack-1"
	assert.True(t, p.Elements[0].Slot, "the hook is the default slot")
	assert.Equal(t, check.License{"baby/teether-05.txt#2": true, "baby/teether-05.txt#3": true, "baby/teether-05.txt#4": true}, pack.License(p))

	e := elibtest.Engine(t)
	licensed, err := check.New(e, check.Options{License: pack.License(p)}, lib)
	require.NoError(t, err)
	plain, err := check.New(e, check.Options{}, lib)
	require.NoError(t, err)
	ctx := context.Background()
	run := func(c *check.Checker, text string) *check.Result {
		a := parse(t, "variant.md", text)
		res, err := c.Check(ctx, a.ID, &a)
		require.NoError(t, err)
		pack.Judge(res, p, check.DefaultThreshold)
		return res
	}

	t.Run("new hook passes, fixed elements licensed", func(t *testing.T) {
		without := run(plain, variant(newHook))
		require.Equal(t, check.Reject, without.Verdict, "without the pack the variant is a copy")
		res := run(licensed, variant(newHook))
		assert.Equal(t, check.Pass, res.Verdict)
		assert.Empty(t, res.Reason)
		assert.Equal(t, "pack-1", res.Pack)
		// Duplication and level describe all copying (what a platform
		// sees); the licensed share is beside it and out of the verdict.
		assert.Greater(t, res.Duplication, 0.8)
		assert.InDelta(t, res.Duplication, res.LicensedDuplication, 0.05)
		assert.Equal(t, check.LevelOf(res.Duplication), res.Level)
		for _, er := range res.Elements[1:] {
			require.NotEmpty(t, er.Matches, er.Type)
			m := er.Matches[0]
			assert.True(t, m.Licensed, "%s: %+v", er.Type, m)
			assert.Equal(t, "baby/teether-05.txt", m.AssetID)
			for _, sp := range m.Spans {
				assert.True(t, sp.Licensed)
			}
		}
		assert.Empty(t, res.Sources(), "licensed copying is no source")
		b, err := json.Marshal(res)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"licensed":true`)
	})

	t.Run("hook kept: slot not replaced", func(t *testing.T) {
		res := run(licensed, variant(keptHook))
		assert.Equal(t, check.Reject, res.Verdict)
		assert.True(t, strings.HasPrefix(res.Reason, pack.ReasonSlotNotReplaced), res.Reason)
		assert.Contains(t, res.Reason, "hook (element 1)")
		assert.Less(t, res.Duplication-res.LicensedDuplication, check.DefaultThreshold, "the unlicensed duplication alone would pass")
	})

	t.Run("copying another asset counts", func(t *testing.T) {
		res := run(licensed, variant(newHook, otherConflict))
		assert.Empty(t, res.Reason)
		last := res.Elements[len(res.Elements)-1]
		require.NotEmpty(t, last.Matches)
		assert.False(t, last.Matches[0].Licensed)
		assert.Equal(t, "bedding/sheets-03_四件套.txt", last.Matches[0].AssetID)
		assert.Greater(t, last.Duplication, 0.9)
		assert.Greater(t, res.Duplication-res.LicensedDuplication, 0.15, "the unlicensed copy counts in the verdict")
		src := res.Sources()
		require.Len(t, src, 1)
		assert.Equal(t, "bedding/sheets-03_四件套.txt", src[0].AssetID)
	})

	t.Run("an unrelated script is no variant: warned", func(t *testing.T) {
		res := run(licensed, "[hook]\n"+newHook+"\n[conflict]\n很多人以为跑步膝盖疼是跑得太多，其实问题出在鞋底的缓震上。\n")
		assert.Equal(t, "pack-1", res.Pack)
		require.Len(t, res.Warnings, 1)
		assert.Equal(t, pack.WarnNotVariant, res.Warnings[0].Kind)
		assert.Contains(t, res.Warnings[0].Message, "none of pack pack-1's fixed elements")
		// A real variant is not warned.
		assert.Empty(t, run(licensed, variant(newHook)).Warnings)
	})

	t.Run("slot copying other library material", func(t *testing.T) {
		res := run(licensed, variant("床单一洗就起球，谁懂？"))
		assert.Equal(t, check.Reject, res.Verdict)
		assert.Contains(t, res.Reason, pack.ReasonSlotNotReplaced)
	})
}

func TestNewPackOptions(t *testing.T) {
	a := parse(t, "hit.md", "# 标题\n[hook]\n开场一句话很好听的钩子\n[conflict]\n一个冲突的段落写在这里\n[conversion]\n点击下方链接立刻下单吧\n")
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	p, err := pack.New(&a, pack.Options{Slots: []string{"钩子", "3"}, Note: "换成你自己的开场", Now: now})
	require.NoError(t, err)
	assert.Equal(t, "标题", p.Title)
	assert.Equal(t, "2026-12-01T00:00:00Z", p.Created)
	assert.Equal(t, []bool{true, false, true}, []bool{p.Elements[0].Slot, p.Elements[1].Slot, p.Elements[2].Slot})
	for _, bad := range [][]string{{"story"}, {"9"}, {"nonsense"}, {"hook", "conflict", "conversion"}} {
		_, err := pack.New(&a, pack.Options{Slots: bad})
		assert.Error(t, err, "%v", bad)
	}
}

func TestBriefFormats(t *testing.T) {
	lib := sample(t)
	src, err := lib.Asset("baby/teether-05.txt")
	require.NoError(t, err)
	p, err := pack.New(src, pack.Options{Note: "只换开场 3 秒"})
	require.NoError(t, err)
	p.ID = "pack-1"
	b, err := pack.NewBrief(context.Background(), p, lib, 3)
	require.NoError(t, err)
	require.Len(t, b.Elements, 4)
	hook := b.Elements[0]
	assert.Equal(t, "slot", hook.Role)
	assert.Equal(t, 13, hook.Chars)
	assert.Equal(t, 3.0, hook.Seconds, "no times in the hit: the type's typical length")
	assert.NotEmpty(t, hook.Must)
	require.NotEmpty(t, hook.Inspiration, "the sample library has hooks with plays")
	for i, in := range hook.Inspiration {
		assert.True(t, in.DoNotCopy)
		assert.Equal(t, element.Hook, element.Type(mustType(t, lib, in.ElementID)))
		if i > 0 {
			assert.GreaterOrEqual(t, *hook.Inspiration[i-1].Plays, *in.Plays, "most played first")
		}
	}
	assert.Equal(t, "fixed", b.Elements[1].Role)
	assert.Empty(t, b.Elements[1].Inspiration)

	for _, f := range pack.Formats {
		var out bytes.Buffer
		require.NoError(t, b.Write(&out, f), f)
		s := out.String()
		assert.Contains(t, s, keptHook, f)
		assert.Contains(t, s, conflict, f)
		switch f {
		case "json":
			var back pack.Brief
			require.NoError(t, json.Unmarshal(out.Bytes(), &back))
			assert.Equal(t, *b, back)
		case "md":
			assert.Contains(t, s, "DO NOT COPY")
			assert.Contains(t, s, "替换位 SLOT")
		case "html":
			assert.Contains(t, s, `data-role="slot"`)
			assert.Contains(t, s, `data-do-not-copy="true"`)
			assert.NotContains(t, s, "<script")
		}
	}
	assert.Error(t, b.Write(&bytes.Buffer{}, "pdf"))
}

func mustType(t *testing.T, lib *index.Library, id string) element.Type {
	e, err := lib.ElementByID(id)
	require.NoError(t, err)
	return e.Type
}

// TestBriefLabelsAttributes (issue 24 item 8): the creator brief names
// attributes as people read them (镜头 camera：特写, 文案动词 copy
// verbs：…), never as raw keys (copy_verbs=[…]).
func TestBriefLabelsAttributes(t *testing.T) {
	lib := sample(t)
	src, err := lib.Asset("baby/teether-05.txt")
	require.NoError(t, err)
	src.Elements[0].Attributes = map[string]any{element.AttrCamera: "特写", element.AttrCopyVerbs: []any{"点击", "消毒"}, element.AttrBGMBPM: 120.0}
	p, err := pack.New(src, pack.Options{})
	require.NoError(t, err)
	p.ID = "pack-1"
	b, err := pack.NewBrief(context.Background(), p, lib, 3)
	require.NoError(t, err)
	for _, f := range []string{"md", "html"} {
		var out bytes.Buffer
		require.NoError(t, b.Write(&out, f), f)
		s := out.String()
		assert.Contains(t, s, "镜头 camera：特写 · 背景音乐节拍 BPM：120 · 文案动词 copy verbs：点击、消毒", f)
		assert.NotContains(t, s, "copy_verbs", f)
		assert.NotContains(t, s, "camera=", f)
	}
}
