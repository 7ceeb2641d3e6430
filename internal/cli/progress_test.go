package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ldfi/ldfi/search"
)

// syncBuffer is a bytes.Buffer safe for the line's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The status line shows elapsed time, executions, hypotheses pending and
// the best verdict so far, redrawn in place, and is cleared at the end.
func TestProgressLine(t *testing.T) {
	var w syncBuffer
	p := newProgressLine(&w, func() int { return 0 }, true, 0, time.Millisecond)
	p.update(search.Progress{Executions: 12, Queued: 3})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(w.String(), "12 executions") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.update(search.Progress{Executions: 40, Queued: 0, Counterexamples: 2})
	for !strings.Contains(w.String(), "40 executions") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.end()
	out := w.String()
	for _, want := range []string{"\rsearching: ", ", 12 executions, 3 hypotheses pending, no counterexample yet", ", 40 executions, 0 hypotheses pending, 2 counterexamples so far"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q", want, out)
		}
	}
	if strings.Contains(out, "\033") {
		t.Errorf("escape codes in %q", out)
	}
	if !strings.HasSuffix(out, "\r"+strings.Repeat(" ", p.drawn)+"\r") {
		t.Errorf("the line is not cleared at the end: %q", out)
	}
}

// Nothing is drawn before the delay, and nothing at all off a terminal or
// with --quiet.
func TestProgressLineQuietCases(t *testing.T) {
	var w syncBuffer
	p := newProgressLine(&w, func() int { return 0 }, false, time.Hour, time.Millisecond)
	p.update(search.Progress{Executions: 5})
	p.end()
	if w.String() != "" {
		t.Errorf("drawn before the delay: %q", w.String())
	}
	var buf bytes.Buffer
	if startProgress(&buf, false, true) != nil {
		t.Error("a status line on a non-terminal")
	}
	var none *progressLine
	if none.progress() != nil {
		t.Error("a callback without a line")
	}
	none.end() // no line: nothing to do, no panic
}

// The line never wraps: it is cut to the terminal width.
func TestProgressLineFitsTheTerminal(t *testing.T) {
	var w syncBuffer
	p := newProgressLine(&w, func() int { return 20 }, true, time.Hour, time.Hour)
	p.update(search.Progress{Executions: 1})
	p.draw() // the line's own goroutine waits for an hour
	p.end()
	if !strings.HasPrefix(w.String(), "\rsearching: ") {
		t.Errorf("not drawn: %q", w.String())
	}
	for _, l := range strings.Split(w.String(), "\r") {
		if len(l) >= 20 {
			t.Errorf("line of %d columns on a 20-column terminal: %q", len(l), l)
		}
	}
}

// Search errors: internal ones exit 4 with a hint to report them, the rest
// are bad input (exit 2) naming the flag.
func TestSearchErrorExitCodes(t *testing.T) {
	for _, c := range []struct {
		err    error
		code   int
		prefix string
		has    string
	}{
		{fmt.Errorf("%w: solving: boom", search.ErrInternal), ExitInternal, "internal error: solving: boom\n", "please report it"},
		{fmt.Errorf("%w: 4096 schedules exceed the run limit (10)", search.ErrSpaceTooLarge), ExitBadInput, "--max-runs: fault space too large", "raise --max-runs"},
		{errors.New(`unknown strategy "x"`), ExitBadInput, `unknown strategy "x"`, ""},
	} {
		var ee *exitError
		if !errors.As(searchError(c.err), &ee) || ee.code != c.code {
			t.Errorf("%v: got %v, want exit %d", c.err, searchError(c.err), c.code)
			continue
		}
		if msg := ee.err.Error(); !strings.HasPrefix(msg, c.prefix) || !strings.Contains(msg, c.has) {
			t.Errorf("%v: message %q, want prefix %q and %q", c.err, msg, c.prefix, c.has)
		}
	}
}
