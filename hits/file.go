package hits

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/atomicfile"
)

// FileVersion is the version of the statistics file format that
// WriteJSON writes and ReadJSON reads.
const FileVersion = 1

// MaxFileSize is the largest statistics file ReadJSON reads: 1 GiB
// (about 4M entries).
const MaxFileSize = 1 << 30

// File is the statistics file: what WriteJSON writes, ReadJSON reads.
//
//	{
//	  "version": 1,
//	  "written": "2026-12-01T22:00:00Z",
//	  "entries": [
//	    {"type": "domain", "value": "evil.example", "sources": ["feed-a"],
//	     "ids": ["indicator--…"], "warninglists": ["…"],
//	     "count": 12, "first_hit": "…", "last_hit": "…", "since": "…",
//	     "current": true},
//	    …
//	  ]
//	}
//
// Times are RFC 3339 with nanoseconds, UTC; first_hit, last_hit and
// since are left out when unknown; sources, ids and warninglists when
// empty. Entries are in Snapshot's order (count, highest first).
type File struct {
	Version int          `json:"version"`
	Written time.Time    `json:"written"`
	Entries []EntryStats `json:"entries"`
}

// WriteJSON writes entries (a Snapshot) as a File written at now, one
// entry per line.
func WriteJSON(w io.Writer, entries []EntryStats, now time.Time) error {
	bw := bufio.NewWriter(w)
	head, err := json.Marshal(struct {
		Version int       `json:"version"`
		Written time.Time `json:"written"`
	}{FileVersion, now.UTC()})
	if err != nil {
		return err
	}
	bw.Write(head[:len(head)-1])
	bw.WriteString(`,"entries":[`)
	for i := range entries {
		b, err := json.Marshal(&entries[i])
		if err != nil {
			return fmt.Errorf("hits: entry %s: %w", entries[i].Key(), err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n")
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// WriteFile writes entries to the file path as WriteJSON does,
// atomically: to a temporary file in the same directory, synced, then
// renamed over path, so that a reader (or a crash) never sees half a file.
// The file's mode is that of the file it replaces, else 0644.
func WriteFile(path string, entries []EntryStats, now time.Time) error {
	if err := atomicfile.WriteFile(path, func(w io.Writer) error { return WriteJSON(w, entries, now) }); err != nil {
		return fmt.Errorf("hits: writing %s: %w", path, err)
	}
	return nil
}

// WriteFile writes the Snapshot of s to path at now (see the function
// WriteFile): what iocscan's -stats FILE does at the end, periodically and
// on a signal.
func (s *Stats) WriteFile(path string, now time.Time) error {
	return WriteFile(path, s.Snapshot(), now)
}

// ReadFile reads the statistics file at path (ReadJSON). A file that does
// not exist is an error satisfying errors.Is(err, fs.ErrNotExist).
func ReadFile(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("hits: %w", err)
	}
	defer f.Close()
	return ReadJSON(f, path)
}

// ReadJSON reads a statistics File from r; name (a path) is for the
// errors, which give it with the line: "name:LINE: …". Values are checked
// and made canonical (indicator.New) as the loaders do; an entry with a
// bad type or value, a negative count, a last hit before its first, or a
// version other than FileVersion is an error (nothing is read then: a
// file that does not say what it should is not half trusted). Unknown
// fields are ignored. At most MaxFileSize bytes are read.
func ReadJSON(r io.Reader, name string) (File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return File{}, fmt.Errorf("hits: reading %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return File{}, fmt.Errorf("hits: %s: larger than %d bytes", name, MaxFileSize)
	}
	p := fileParser{data: data, name: name, dec: json.NewDecoder(bytes.NewReader(data))}
	return p.parse()
}

type fileParser struct {
	data []byte
	name string
	dec  *json.Decoder
}

// errAt is an error at byte offset off of the input.
func (p *fileParser) errAt(off int64, format string, a ...any) error {
	off = min(max(off, 0), int64(len(p.data)))
	line := 1 + bytes.Count(p.data[:off], []byte{'\n'})
	return fmt.Errorf("hits: %s:%d: %s", p.name, line, fmt.Sprintf(format, a...))
}

// jsonErr is err of the decoder, at its offset.
func (p *fileParser) jsonErr(err error) error {
	off := p.dec.InputOffset()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return p.errAt(int64(len(p.data)), "unexpected end of file")
	}
	return p.errAt(off, "%v", err)
}

func (p *fileParser) delim(want json.Delim) error {
	off := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return p.jsonErr(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return p.errAt(off, "want %q, found %v", want, tok)
	}
	return nil
}

func (p *fileParser) parse() (File, error) {
	var f File
	if err := p.delim('{'); err != nil {
		return File{}, err
	}
	version := false
	for p.dec.More() {
		off := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err != nil {
			return File{}, p.jsonErr(err)
		}
		key, _ := tok.(string)
		switch key {
		case "version":
			if err := p.dec.Decode(&f.Version); err != nil {
				return File{}, p.jsonErr(err)
			}
			if f.Version != FileVersion {
				return File{}, p.errAt(off, "version %d: this program reads version %d", f.Version, FileVersion)
			}
			version = true
		case "written":
			if err := p.dec.Decode(&f.Written); err != nil {
				return File{}, p.jsonErr(err)
			}
		case "entries":
			if err := p.entries(&f); err != nil {
				return File{}, err
			}
		default:
			var skip json.RawMessage
			if err := p.dec.Decode(&skip); err != nil {
				return File{}, p.jsonErr(err)
			}
		}
	}
	if err := p.delim('}'); err != nil {
		return File{}, err
	}
	if !version {
		return File{}, p.errAt(0, "no \"version\": not a statistics file")
	}
	if off := p.dec.InputOffset(); len(bytes.TrimSpace(p.data[off:])) > 0 {
		return File{}, p.errAt(off, "data after the statistics object")
	}
	return f, nil
}

func (p *fileParser) entries(f *File) error {
	if err := p.delim('['); err != nil {
		return err
	}
	for p.dec.More() {
		off := p.dec.InputOffset()
		// the offset is before the separator and white space: point at
		// the entry itself
		for off < int64(len(p.data)) && (p.data[off] == ',' || p.data[off] == ' ' || p.data[off] == '\n' || p.data[off] == '\r' || p.data[off] == '\t') {
			off++
		}
		var e EntryStats
		if err := p.dec.Decode(&e); err != nil {
			return p.jsonErr(err)
		}
		if err := check(&e); err != nil {
			return p.errAt(off, "entry %d: %v", len(f.Entries), err)
		}
		f.Entries = append(f.Entries, e)
	}
	return p.delim(']')
}

// check validates e and makes its value canonical.
func check(e *EntryStats) error {
	if e.Type == indicator.Invalid {
		return fmt.Errorf("no valid \"type\"")
	}
	ind, err := indicator.New(e.Type, e.Value)
	if err != nil {
		return err
	}
	e.Type, e.Value = ind.Type, ind.Value
	if e.Count < 0 {
		return fmt.Errorf("%s: count %d is negative", e.Key(), e.Count)
	}
	if !e.FirstHit.IsZero() && !e.LastHit.IsZero() && e.LastHit.Before(e.FirstHit) {
		return fmt.Errorf("%s: last_hit %s is before first_hit %s", e.Key(), e.LastHit.Format(time.RFC3339Nano), e.FirstHit.Format(time.RFC3339Nano))
	}
	return nil
}
