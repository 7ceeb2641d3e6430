package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// Entry is one row of a bench file: a program, the bounds to search it
// within, the verdict it should get, and the published figures when the
// row is one of the paper's.
type Entry struct {
	Name    string   `json:"name"`
	Files   []string `json:"files"`
	EOT     int      `json:"eot"`
	EFF     int      `json:"eff"`
	Crashes int      `json:"crashes"`
	// The asynchrony bounds (fault.Params; absent: off). Omissions, when
	// present, bounds the lost messages (absent: any number, as Molly).
	Delay      int            `json:"delay,omitempty"`
	Duplicates bool           `json:"duplicates,omitempty"`
	Partitions int            `json:"partitions,omitempty"`
	Omissions  *int           `json:"omissions,omitempty"`
	Nodes      []string       `json:"nodes"`
	Expect     search.Verdict `json:"expect"`
	Paper      *Paper         `json:"paper"`
	// Witness is one violating schedule, for the corpus tests; the bench
	// only checks its syntax.
	Witness *Witness `json:"witness,omitempty"`
	// TimeGoal is the LDFI wall time within which the row should reach
	// its verdict, as a Go duration (empty: DefaultTimeGoal). The report
	// counts the rows that meet their goal.
	TimeGoal string `json:"time_goal,omitempty"`

	// Pos is where the entry starts in its bench file (file:line:col).
	Pos string `json:"-"`
}

// Paper holds the figures published for the row in Alvaro, Rosen,
// Hellerstein, "Lineage-driven Fault Injection", SIGMOD 2015.
type Paper struct {
	// Figure is "12" (executions to the first counterexample) or "13"
	// (executions to certify).
	Figure string `json:"figure"`
	// Molly is the published executions count of Molly.
	Molly *float64 `json:"molly"`
	// Random is the published mean executions of random search to the
	// first counterexample (null in Fig. 13).
	Random *float64 `json:"random"`
}

// Witness is a violating fault schedule in the command-line syntax.
type Witness struct {
	Omit      []string `json:"omit,omitempty"`
	Crash     []string `json:"crash,omitempty"`
	Delay     []string `json:"delay,omitempty"`
	Dup       []string `json:"dup,omitempty"`
	Partition []string `json:"partition,omitempty"`
}

// Schedule parses the witness.
func (w *Witness) Schedule() (fault.Schedule, error) {
	var s fault.Schedule
	for _, x := range w.Omit {
		o, err := fault.ParseOmission(x)
		if err != nil {
			return s, err
		}
		s.Omissions = append(s.Omissions, o)
	}
	for _, x := range w.Crash {
		c, err := fault.ParseCrash(x)
		if err != nil {
			return s, err
		}
		s.Crashes = append(s.Crashes, c)
	}
	for _, x := range w.Delay {
		d, err := fault.ParseDelay(x)
		if err != nil {
			return s, err
		}
		s.Delays = append(s.Delays, d)
	}
	for _, x := range w.Dup {
		d, err := fault.ParseDuplicate(x)
		if err != nil {
			return s, err
		}
		s.Duplicates = append(s.Duplicates, d)
	}
	for _, x := range w.Partition {
		d, err := fault.ParsePartition(x)
		if err != nil {
			return s, err
		}
		s.Partitions = append(s.Partitions, d)
	}
	return s, nil
}

// DefaultTimeGoal is the time goal of an entry that sets none.
const DefaultTimeGoal = time.Second

// Goal returns the entry's time goal.
func (e *Entry) Goal() time.Duration {
	if d, err := time.ParseDuration(e.TimeGoal); err == nil && d > 0 {
		return d
	}
	return DefaultTimeGoal
}

// Params returns the entry's bounds.
func (e *Entry) Params() fault.Params {
	p := fault.Params{Nodes: e.Nodes, EOT: e.EOT, EFF: e.EFF, MaxCrashes: e.Crashes,
		MaxDelay: e.Delay, Duplicates: e.Duplicates, MaxPartitions: e.Partitions}
	if e.Omissions != nil {
		p.OmissionsBounded, p.MaxOmissions = true, *e.Omissions
	}
	return p
}

// ReadFile reads and checks a bench file. Relative program paths are
// resolved against the current directory, or, when no file is there,
// against the bench file's directory.
func ReadFile(path string) ([]Entry, error) {
	data, err := dedalus.ReadSourceFile(path) // a regular file, bounded
	if err != nil {
		return nil, err
	}
	entries, err := Parse(path, []byte(data))
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	for i := range entries {
		for j, f := range entries[i].Files {
			if filepath.IsAbs(f) {
				continue
			}
			if _, err := os.Stat(f); err == nil {
				continue
			}
			if alt := filepath.Join(dir, f); fileExists(alt) {
				entries[i].Files[j] = alt
			}
		}
	}
	return entries, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Parse decodes and checks a bench file's contents: a JSON array of
// entries. Errors name the position (name:line:col) of the offending JSON
// or of the entry that fails a check.
func Parse(name string, data []byte) ([]Entry, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	pos := func(off int64) string { return name + ":" + lineCol(data, off) }
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(name, data, dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("%s: a bench file is a JSON array of entries", pos(0))
	}
	var entries []Entry
	seen := map[string]string{}
	for dec.More() {
		start := skipSpace(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(name, data, dec, err)
		}
		var e Entry
		ed := json.NewDecoder(bytes.NewReader(raw))
		ed.DisallowUnknownFields()
		if err := ed.Decode(&e); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return nil, fmt.Errorf("%s: field %q: %s is not a %s", pos(start+te.Offset-1), te.Field, te.Value, te.Type)
			}
			return nil, fmt.Errorf("%s: %s", pos(start), strings.TrimPrefix(err.Error(), "json: "))
		}
		e.Pos = pos(start)
		if err := validateEntry(&e); err != nil {
			return nil, fmt.Errorf("%s: entry %q: %w", e.Pos, e.Name, err)
		}
		if prev, ok := seen[e.Name]; ok {
			return nil, fmt.Errorf("%s: entry %q: name already used at %s", e.Pos, e.Name, prev)
		}
		seen[e.Name] = e.Pos
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(name, data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: unexpected data after the array", pos(skipSpace(data, dec.InputOffset())))
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s: no entries", pos(0))
	}
	return entries, nil
}

func validateEntry(e *Entry) error {
	if e.Name == "" {
		return errors.New("missing name")
	}
	if strings.ContainsAny(e.Name, ", \t\n|") {
		return errors.New("a name must not contain commas, spaces or '|'")
	}
	if len(e.Files) == 0 {
		return errors.New("no files")
	}
	for _, f := range e.Files {
		if f == "" {
			return errors.New("empty file name")
		}
	}
	if err := e.Params().Validate(); err != nil {
		return err
	}
	if e.EFF > e.EOT {
		return fmt.Errorf("eff %d exceeds eot %d (messages can be lost only when sent before EFF, and time ends at EOT)", e.EFF, e.EOT)
	}
	if e.TimeGoal != "" {
		if d, err := time.ParseDuration(e.TimeGoal); err != nil || d <= 0 {
			return fmt.Errorf("time_goal must be a positive duration such as \"10s\", got %q", e.TimeGoal)
		}
	}
	switch e.Expect {
	case search.Counterexample, search.Certified:
	default:
		return fmt.Errorf("expect must be %q or %q, got %q", search.Counterexample, search.Certified, e.Expect)
	}
	if p := e.Paper; p != nil {
		if p.Figure == "" {
			return errors.New("paper: missing figure")
		}
		if p.Molly == nil {
			return errors.New("paper: missing molly")
		}
	}
	if w := e.Witness; w != nil {
		if _, err := w.Schedule(); err != nil {
			return fmt.Errorf("witness: %w", err)
		}
	}
	return nil
}

// jsonError positions a decoding error. A stream decoder's syntax offsets
// are not absolute, so syntax errors are located by decoding the whole
// input again.
func jsonError(name string, data []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var v any
	if uerr := json.Unmarshal(data, &v); uerr != nil {
		err = uerr
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if se.Error() == "unexpected end of JSON input" {
			return fmt.Errorf("%s:%s: unexpected end of JSON", name, lineCol(data, int64(len(data))))
		}
		off = max(se.Offset-1, 0) // the offset is after the offending byte
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		return fmt.Errorf("%s:%s: unexpected end of JSON", name, lineCol(data, int64(len(data))))
	}
	return fmt.Errorf("%s:%s: %s", name, lineCol(data, off), strings.TrimPrefix(err.Error(), "json: "))
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\n', '\r', ',':
			off++
			continue
		}
		break
	}
	return off
}

// lineCol turns a byte offset into "line:col" (1-based, columns in bytes).
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("%d:%d", line, col)
}
