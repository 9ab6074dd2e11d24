package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the units parseSize knows, lower-case: SI (k, M, G, T:
// powers of 1000) and IEC (Ki, Mi, Gi, Ti: powers of 1024), with or
// without a trailing B.
var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"ki": 1 << 10, "kib": 1 << 10, "mi": 1 << 20, "mib": 1 << 20, "gi": 1 << 30, "gib": 1 << 30, "ti": 1 << 40, "tib": 1 << 40,
}

// parseSize parses a byte size: a number (decimals allowed) and an
// optional unit, case-insensitive, a space allowed between them: 1024,
// 64MB (64,000,000), 256MiB (268,435,456), 1.5GiB, 0. It is at most 1 PiB.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeUnits[unit]
	if num == "" || !ok {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit, such as 256MiB, 1GiB, 64MB or 1048576", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("size %q: bad number %q", s, num)
	}
	b := v * mult
	if b > 1<<50 {
		return 0, fmt.Errorf("size %q: more than 1 PiB", s)
	}
	return int64(math.Round(b)), nil
}
