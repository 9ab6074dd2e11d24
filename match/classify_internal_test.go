package match

import (
	"math/rand/v2"
	"testing"
)

// naiveMasks computes the masks of text (at most chunkLen bytes) byte by
// byte from the class table: what classify must give.
func naiveMasks(text []byte) (m chunkMasks, nb int) {
	for k, c := range text {
		b, bit := k/64, uint64(1)<<(k%64)
		set := func(w *uint64, on bool) {
			if on {
				*w |= bit
			}
		}
		set(&m[b].tok, is(c, cTok))
		set(&m[b].dot, c == '.')
		set(&m[b].colon, c == ':')
		set(&m[b].digit, is(c, cDigit))
		set(&m[b].hex, is(c, cHex))
		set(&m[b].alpha, is(c, cAlpha))
	}
	return m, (len(text) + 63) / 64
}

// classifyBoth requires each SIMD code of the CPU (AVX2, AVX-512), the
// portable one and the byte-by-byte masks to agree on buf[base:end] (the
// bytes of buf around it are there to be read, not classified).
func classifyBoth(t testing.TB, buf []byte, base, end int) {
	t.Helper()
	text := buf[base:end]
	want, wantN := naiveMasks(text)
	var got chunkMasks
	if n := classifyGo(&got, text); n != wantN || got != want {
		t.Fatalf("classifyGo(%q) = %d blocks %+v, want %d %+v", text, n, got[:n], wantN, want[:wantN])
	}
	forEachSIMD(func(name string) {
		// over a dst left dirty by an earlier chunk: the blocks written
		// are the text's only
		for i := range got {
			got[i] = blockMasks{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		}
		n := classify(&got, buf, base, end)
		if n != wantN || !sameBlocks(got[:n], want[:wantN]) {
			t.Fatalf("%s classify(%q at %d) = %d blocks %+v, want %d %+v", name, text, base, n, got[:n], wantN, want[:wantN])
		}
	})
}

func sameBlocks(a, b []blockMasks) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// classAlphabet holds every class's edges: the bytes just inside and just
// outside each range, their copies with the high bit set, and 0, 0xff.
var classAlphabet = []byte("./:;09@AFGZ[`afgz{_-^,\x00\xff\x80\x2f\xae\xba\xb0\xb9\xc1\xe1\xdf\xad \t")

// TestClassify: every length 0..300 (and the chunk's 512) at every
// alignment of a buffer, random bytes and bytes of the class edges.
func TestClassify(t *testing.T) {
	defer setSIMD(setSIMD(true))
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, chunkLen+64)
	for _, n := range append(rangeInts(301), chunkLen-1, chunkLen) {
		for align := 0; align < 64 && align+n <= len(buf); align += 1 + 8*(n/100) {
			for i := range buf {
				if r.IntN(2) == 0 {
					buf[i] = byte(r.IntN(256))
				} else {
					buf[i] = classAlphabet[r.IntN(len(classAlphabet))]
				}
			}
			classifyBoth(t, buf, align, align+n)
			classifyBoth(t, buf[:align+n], align, align+n) // ending at the buffer's end
		}
	}
	// every byte value at every position of a block
	text := make([]byte, 130)
	for c := range 256 {
		for p := range text {
			for i := range text {
				text[i] = 'a'
			}
			text[p] = byte(c)
			classifyBoth(t, text, 0, len(text))
			classifyBoth(t, text, 3, len(text)-5)
		}
	}
}

// FuzzClassify compares the SIMD and portable masks (and the byte-by-byte
// ones) on any text, at every alignment.
func FuzzClassify(f *testing.F) {
	f.Add([]byte("GET http://evil.com:8080/a?b=c 10.1.2.3 2001:db8::1 d41d8cd98f00b204e9800998ecf8427e"))
	f.Add([]byte("\x80\xff\xae\xba_-.:AZaz09@[`{/"))
	f.Fuzz(func(t *testing.T, text []byte) {
		text = text[:min(len(text), chunkLen)]
		buf := make([]byte, len(text)+64)
		for align := range 64 {
			for i := range buf {
				buf[i] = "a.:0 \x80"[i%6]
			}
			copy(buf[align:], text)
			classifyBoth(t, buf, align, align+len(text))
			classifyBoth(t, buf[:align+len(text)], align, align+len(text))
		}
	})
}

// TestFirstHexBlock: the first 16-byte block of hex digits at a multiple
// of 16, against a byte-by-byte search, on texts with hex runs of every
// length at every offset.
func TestFirstHexBlock(t *testing.T) {
	text := make([]byte, chunkLen)
	for run := 0; run <= 40; run++ {
		for at := 0; at+run <= len(text); at += 1 + at/64 {
			for i := range text {
				text[i] = 'x'
			}
			for i := at; i < at+run; i++ {
				text[i] = "0123456789abcdefABCDEF"[i%22]
			}
			text[len(text)-1] = 'f'
			want := -1
			for k := 0; k+16 <= len(text) && want < 0; k += 16 {
				all := true
				for _, c := range text[k : k+16] {
					all = all && is(c, cHex)
				}
				if all {
					want = k
				}
			}
			var m chunkMasks
			nb := classifyGo(&m, text)
			if got := firstHexBlock(&m, nb, 1024); got != want+1024 && !(want < 0 && got < 0) {
				t.Fatalf("run of %d at %d: firstHexBlock %d, want %d", run, at, got, want+1024)
			}
		}
	}
}
