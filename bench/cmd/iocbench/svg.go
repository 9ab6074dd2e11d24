package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
)

// point is one (x, y) of a series; both axes are logarithmic, so both must
// be positive.
type point struct{ x, y float64 }

// series is one polyline of a plot.
type series struct {
	name string
	pts  []point
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

// plot writes a log-log line plot as SVG: x the indicator count, one
// polyline per series, a legend on the right.
func plot(w io.Writer, title, xlabel, ylabel string, fmtY func(float64) string, ss []series) error {
	const (
		width, height      = 900, 480
		left, right        = 90, 260
		top, bottom        = 50, 60
		plotW, plotH       = width - left - right, height - top - bottom
		legendX, legendRow = width - right + 20, 20
	)
	var xs, ys []float64
	for _, s := range ss {
		for _, p := range s.pts {
			if p.x > 0 && p.y > 0 {
				xs = append(xs, p.x)
				ys = append(ys, p.y)
			}
		}
	}
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", left, esc(title))
	if len(xs) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">no data</text>`+"\n", left+plotW/2-30, top+plotH/2)
		b.WriteString("</svg>\n")
		_, err := w.Write(b.Bytes())
		return err
	}
	x0, x1 := math.Log10(slices.Min(xs)/2), math.Log10(slices.Max(xs)*2)
	y0, y1 := math.Log10(slices.Min(ys)/2), math.Log10(slices.Max(ys)*2)
	px := func(x float64) float64 { return left + (math.Log10(x)-x0)/(x1-x0)*plotW }
	py := func(y float64) float64 { return top + plotH - (math.Log10(y)-y0)/(y1-y0)*plotH }

	// axes, grid and ticks
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", left, top, plotW, plotH)
	for _, t := range ticks(x0, x1, xs) {
		x := px(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, top, x, top+plotH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, top+plotH+18, esc(fmtCount(t)))
	}
	for _, t := range ticks(y0, y1, nil) {
		y := py(t)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y, left+plotW, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-6, y, esc(fmtY(t)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", left+plotW/2, height-16, esc(xlabel))
	fmt.Fprintf(&b, `<text transform="translate(18 %d) rotate(-90)" text-anchor="middle">%s</text>`+"\n", top+plotH/2, esc(ylabel))

	// series and legend
	for i, s := range ss {
		color := palette[i%len(palette)]
		pts := slices.Clone(s.pts)
		pts = slices.DeleteFunc(pts, func(p point) bool { return p.x <= 0 || p.y <= 0 })
		slices.SortFunc(pts, func(a, b point) int { return int(math.Copysign(1, a.x-b.x)) })
		var poly bytes.Buffer
		for _, p := range pts {
			fmt.Fprintf(&poly, "%.1f,%.1f ", px(p.x), py(p.y))
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", bytes.TrimSpace(poly.Bytes()), color)
		}
		for _, p := range pts {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s</title></circle>`+"\n", px(p.x), py(p.y), color, esc(s.name), esc(fmtY(p.y)))
		}
		ly := top + 10 + i*legendRow
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", legendX, ly, legendX+24, ly, color)
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3.5" fill="%s"/>`+"\n", legendX+12, ly, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", legendX+32, ly, esc(s.name))
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// ticks returns tick values for a log axis over [lo, hi] (log10 units):
// the data values when given (the x axis marks every size), else the
// powers of ten inside, with 2× and 5× when there are fewer than three.
func ticks(lo, hi float64, data []float64) []float64 {
	if data != nil {
		t := slices.Clone(data)
		slices.Sort(t)
		return slices.Compact(t)
	}
	var all, decades []float64
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if l := math.Log10(v); l >= lo && l <= hi {
				all = append(all, v)
				if m == 1 {
					decades = append(decades, v)
				}
			}
		}
	}
	if len(decades) >= 3 {
		return decades
	}
	return all
}
