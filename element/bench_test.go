package element

import (
	"fmt"
	"strings"
	"testing"
)

// labelledScript builds a realistic labelled script of about n bytes.
func labelledScript(n int) []byte {
	var b strings.Builder
	b.WriteString("# 便携榨汁杯\n\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "【钩子】(%d-%ds)（镜头：推近）夏天出门，你是不是也想喝一杯鲜榨果汁？\n", i*60, i*60+3)
		fmt.Fprintf(&b, "【冲突】 （0:03-0:11）\n外面买一杯要二十多块，自己在家榨，榨汁机又大又难洗，没想到用了两次就收进柜子里了。\n\n")
		b.WriteString("[testimonial] 10s-25s [BGM 120bpm]我用了这款便携榨汁杯一个月，充一次电能榨十几杯，\n放进包里也不占地方，同事看了都追着问链接。\n")
		b.WriteString("## 转化\n今天点击下方小黄车，到手价只要99，下单立减20，再送一个替换杯盖，库存不多了家人们赶紧冲。{字幕色 #FFD400}\n\n")
	}
	return []byte(b.String())
}

func BenchmarkParseScript(b *testing.B) {
	data := labelledScript(256 << 10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bench.txt", data, ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUnlabelled(b *testing.B) {
	data := []byte(strings.Repeat("夏天出门，你是不是也想喝一杯鲜榨果汁？外面买一杯要二十多块，没想到用了两次就收起来了。我用了这款榨汁杯一个月，同事都说好。今天点击链接下单立减20。\n", 200))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("bench.txt", data, ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
