package match

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkClassify: the front end alone, on chunks of log text of a
// typical line's size (229 bytes) and of a whole chunk, for each code.
func BenchmarkClassify(b *testing.B) {
	line := strings.Repeat(`172.18.128.164 - - [25/Nov/2026:00:00:00 +0000] "GET /login HTTP/1.1" 200 130157 "https://login.example.test/api/v2/orders?page=13286" `, 8)
	for _, n := range []int{229, chunkLen} {
		text := []byte(line[:n])
		var cm chunkMasks
		run := func(name string) {
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				b.SetBytes(int64(n))
				for b.Loop() {
					classify(&cm, text, 0, n)
				}
			})
		}
		forEachSIMD(run)
		old := setSIMD(false)
		run("portable")
		setSIMD(old)
	}
}
