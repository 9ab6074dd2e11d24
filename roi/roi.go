package roi

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/atomicfile"
)

// NoSource names, in a Report, the feed of the indicators that have no
// source name.
const NoSource = "(no source)"

// FeedInput is what the host knows of one feed before matching: what was
// loaded and what the allowlists and the ageing took away. A feed is a
// source name (indicator.Meta.Source), as the allowlist report counts
// them.
type FeedInput struct {
	// Source is the feed's source name.
	Source string
	// Files are the feed's files (indicator.Meta.File), for the report:
	// a source name given by several files shows them.
	Files []string
	// Loaded is the number of indicators loaded from the feed (before
	// the allowlists).
	Loaded int
	// Suppressed and Annotated count the feed's indicators that each
	// list suppressed or annotated, by list id (allow.ListReport.ID).
	Suppressed map[string]int
	Annotated  map[string]int
	// Expired and Decayed count the feed's indicators that do not match
	// because of their age (max age) or their decayed score (package age
	// reports them per source).
	Expired, Decayed int
}

// Feed is the report on one feed.
type Feed struct {
	Source string   `json:"source"`
	Files  []string `json:"files,omitempty"`

	Loaded          int            `json:"loaded"`
	Suppressed      map[string]int `json:"suppressed_by_list,omitempty"`
	SuppressedTotal int            `json:"suppressed"`
	Annotated       map[string]int `json:"annotated_by_list,omitempty"`
	Expired         int            `json:"expired"`
	Decayed         int            `json:"decayed"`

	// HitIndicators is the number of distinct entries of the feed with
	// hits, Hits the sum of their hits (an entry several feeds gave
	// counts for each of them).
	HitIndicators int   `json:"indicators_hit"`
	Hits          int64 `json:"hits"`
	// UniqueIndicators and UniqueHits are those of the entries that this
	// feed alone gave: the hits no other feed would have given.
	UniqueIndicators int   `json:"unique_indicators_hit"`
	UniqueHits       int64 `json:"unique_hits"`
	// UniqueWarninglistedHits are the UniqueHits on entries a
	// warninglist annotates.
	UniqueWarninglistedHits int64 `json:"unique_warninglisted_hits"`
	// AnnotatedHits are the hits on entries a warninglist annotates
	// (match.View.Lists: likely noise), AnnotatedShare their share of
	// Hits (0 without hits).
	AnnotatedHits  int64   `json:"warninglisted_hits"`
	AnnotatedShare float64 `json:"warninglisted_share"`
}

// Report is the ROI report of the feeds: per feed, what it cost
// (loaded, suppressed, aged out) and what it gave (hits, unique hits).
type Report struct {
	// From and To bound the hits counted (zero when unknown).
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Feeds are in decreasing order of their unique hits on entries no
	// warninglist annotates (UniqueHits - UniqueWarninglistedHits), then
	// UniqueHits, Hits, HitIndicators, then by source name: the feeds
	// that give what no other gives, and is not known noise, first; a
	// feed with no hit at all comes last.
	Feeds []Feed `json:"feeds"`
	// Entries and Hits are the distinct entries with hits and their hits,
	// each counted once however many feeds gave it.
	Entries int   `json:"indicators_hit"`
	Hits    int64 `json:"hits"`
}

// Compute returns the report of feeds given the hit statistics stats (a
// hits Snapshot, or a Period's Entries). A source that stats name but
// feeds do not is reported with what stats say (Loaded 0); the entries
// without a source as the feed NoSource.
func Compute(feeds []FeedInput, stats []hits.EntryStats) Report {
	var r Report
	idx := map[string]int{}
	add := func(src string) *Feed {
		if i, ok := idx[src]; ok {
			return &r.Feeds[i]
		}
		idx[src] = len(r.Feeds)
		r.Feeds = append(r.Feeds, Feed{Source: src})
		return &r.Feeds[len(r.Feeds)-1]
	}
	for i := range feeds {
		in := &feeds[i]
		src := in.Source
		if src == "" {
			src = NoSource
		}
		f := add(src)
		f.Files = appendUnique(f.Files, in.Files...)
		f.Loaded += in.Loaded
		f.Expired += in.Expired
		f.Decayed += in.Decayed
		f.Suppressed = addCounts(f.Suppressed, in.Suppressed)
		f.Annotated = addCounts(f.Annotated, in.Annotated)
	}
	for i := range stats {
		e := &stats[i]
		if e.Count <= 0 {
			continue
		}
		r.Entries++
		r.Hits += e.Count
		srcs := e.Sources
		if len(srcs) == 0 {
			srcs = []string{NoSource}
		}
		annotated := len(e.Lists) > 0
		for _, s := range srcs {
			f := add(s)
			f.HitIndicators++
			f.Hits += e.Count
			if len(srcs) == 1 {
				f.UniqueIndicators++
				f.UniqueHits += e.Count
				if annotated {
					f.UniqueWarninglistedHits += e.Count
				}
			}
			if annotated {
				f.AnnotatedHits += e.Count
			}
		}
	}
	for i := range r.Feeds {
		f := &r.Feeds[i]
		for _, n := range f.Suppressed {
			f.SuppressedTotal += n
		}
		if f.Hits > 0 {
			f.AnnotatedShare = float64(f.AnnotatedHits) / float64(f.Hits)
		}
		slices.Sort(f.Files)
	}
	slices.SortFunc(r.Feeds, func(a, b Feed) int {
		if c := cmp.Compare(b.UniqueHits-b.UniqueWarninglistedHits, a.UniqueHits-a.UniqueWarninglistedHits); c != 0 {
			return c
		}
		if c := cmp.Compare(b.UniqueHits, a.UniqueHits); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Hits, a.Hits); c != 0 {
			return c
		}
		if c := cmp.Compare(b.HitIndicators, a.HitIndicators); c != 0 {
			return c
		}
		return strings.Compare(a.Source, b.Source)
	})
	return r
}

func addCounts(dst, src map[string]int) map[string]int {
	for k, n := range src {
		if n == 0 {
			continue
		}
		if dst == nil {
			dst = map[string]int{}
		}
		dst[k] += n
	}
	return dst
}

func appendUnique(dst []string, xs ...string) []string {
	for _, x := range xs {
		if x != "" && !slices.Contains(dst, x) {
			dst = append(dst, x)
		}
	}
	return dst
}

// FeedsFrom returns the FeedInputs of the allowlist report rep (what
// allow.Policy.Apply returned for every feed's indicators together): per
// source, the indicators given (Loaded) and the counts per list that
// suppressed or annotated them. inds, when not nil, are the indicators
// (given to Apply or kept by it) whose files (indicator.Meta.File) are
// listed per source. rep may be nil (no allowlists applied): then inds,
// the indicators loaded, give Loaded. Expired and Decayed are left 0: the
// host adds the ageing report's counts (AddAges).
func FeedsFrom(rep *allow.Report, inds []indicator.Indicator) []FeedInput {
	if rep == nil {
		rep = &allow.Report{}
	}
	action := map[string]allow.Action{}
	for _, l := range rep.Lists {
		action[l.ID] = l.Action
	}
	var out []FeedInput
	idx := map[string]int{}
	count := len(rep.Sources) == 0 // Loaded from inds
	for _, s := range rep.Sources {
		in := FeedInput{Source: s.Source, Loaded: s.Input}
		for id, n := range s.ByList {
			if action[id] == allow.Suppress {
				in.Suppressed = addCounts(in.Suppressed, map[string]int{id: n})
			} else {
				in.Annotated = addCounts(in.Annotated, map[string]int{id: n})
			}
		}
		idx[s.Source] = len(out)
		out = append(out, in)
	}
	files := map[string]map[string]bool{}
	for i := range inds {
		if count {
			j, ok := idx[inds[i].Source]
			if !ok {
				j = len(out)
				idx[inds[i].Source] = j
				out = append(out, FeedInput{Source: inds[i].Source})
			}
			out[j].Loaded++
		}
		if f := inds[i].File; f != "" {
			if files[inds[i].Source] == nil {
				files[inds[i].Source] = map[string]bool{}
			}
			files[inds[i].Source][f] = true
		}
	}
	for src, fs := range files {
		i, ok := idx[src]
		if !ok {
			idx[src] = len(out)
			i = len(out)
			out = append(out, FeedInput{Source: src})
		}
		out[i].Files = slices.Sorted(maps.Keys(fs))
	}
	return out
}

// AddAges sets the Expired and Decayed counts of feeds from the ageing
// report rep (package age counts them per source, as feeds are); a nil rep
// leaves them.
func AddAges(feeds []FeedInput, rep *age.Report) {
	if rep == nil {
		return
	}
	for i := range feeds {
		c := rep.PerSource[feeds[i].Source]
		feeds[i].Expired, feeds[i].Decayed = c.Expired, c.Decayed
	}
}

// WriteJSON writes r as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteMarkdown writes r as a markdown table, one row per feed, then the
// lists that suppressed each feed's indicators and the files of the feeds
// that have several.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Feed ROI\n\n")
	if !r.From.IsZero() || !r.To.IsZero() {
		fmt.Fprintf(bw, "Hits from %s to %s. ", mdTime(r.From), mdTime(r.To))
	}
	fmt.Fprintf(bw, "%d indicators hit, %d hits (lines). Unique: the hits no other feed would have given; feeds in order of their unique hits on indicators no warninglist annotates.\n\n", r.Entries, r.Hits)
	fmt.Fprintln(bw, "| feed | loaded | suppressed | expired | decayed | indicators hit | hits | unique indicators | unique hits | warninglisted hits | unique warninglisted hits |")
	fmt.Fprintln(bw, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for i := range r.Feeds {
		f := &r.Feeds[i]
		share := "-"
		if f.Hits > 0 {
			share = fmt.Sprintf("%d (%.1f%%)", f.AnnotatedHits, 100*f.AnnotatedShare)
		}
		fmt.Fprintf(bw, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %s | %d |\n",
			mdCell(f.Source), f.Loaded, f.SuppressedTotal, f.Expired, f.Decayed, f.HitIndicators, f.Hits, f.UniqueIndicators, f.UniqueHits, share, f.UniqueWarninglistedHits)
	}
	var details []string
	for i := range r.Feeds {
		f := &r.Feeds[i]
		if len(f.Suppressed) > 0 {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(f.Suppressed)) {
				parts = append(parts, fmt.Sprintf("%s %d", mdCell(k), f.Suppressed[k]))
			}
			details = append(details, fmt.Sprintf("- %s: suppressed by %s", mdCell(f.Source), strings.Join(parts, ", ")))
		}
		if len(f.Files) > 1 {
			var fs []string
			for _, p := range f.Files {
				fs = append(fs, mdCell(p))
			}
			details = append(details, fmt.Sprintf("- %s: from %d files: %s", mdCell(f.Source), len(f.Files), strings.Join(fs, ", ")))
		}
	}
	if len(details) > 0 {
		fmt.Fprintf(bw, "\n%s\n", strings.Join(details, "\n"))
	}
	return bw.Flush()
}

func mdTime(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format(time.RFC3339)
}

// mdCell escapes s for a markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

// WriteFile writes r to the file path, atomically: as JSON when path
// ends in ".json" (any case), else as markdown.
func (r *Report) WriteFile(path string) error {
	write := r.WriteMarkdown
	if strings.EqualFold(filepath.Ext(path), ".json") {
		write = r.WriteJSON
	}
	if err := atomicfile.WriteFile(path, write); err != nil {
		return fmt.Errorf("roi: writing %s: %w", path, err)
	}
	return nil
}
