package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/ldfi/ldfi/search"
)

// interruptContext returns a context that SIGINT (Ctrl-C) or SIGTERM
// cancels with the cause "interrupted (...)", so that a search ends as on a
// time limit, with what it has so far. Signals stay caught until stop is
// called (once the report of the runs so far is written): tools such as
// timeout(1) deliver a signal twice, to the process and to its group, and
// the second one must not kill the process half-way through the report.
func interruptContext() (ctx context.Context, stop func()) {
	sig, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	stopAfter := context.AfterFunc(sig, func() {
		cancel(fmt.Errorf("interrupted (%w)", context.Cause(sig)))
	})
	return ctx, func() {
		stopAfter()
		stopSignals()
		cancel(nil)
	}
}

// progressDelay is how long a search runs before its status line appears,
// and progressEvery how often the line is redrawn.
const (
	progressDelay = time.Second
	progressEvery = 200 * time.Millisecond
)

// progressLine is the live status line of a search on a terminal: elapsed
// time, executions, hypotheses pending (LDFI) and the best verdict so far.
// It is redrawn in place with a carriage return, and cleared at the end.
type progressLine struct {
	w          io.Writer
	width      func() int // terminal columns (0: unknown)
	hypotheses bool       // show the hypotheses pending (LDFI only)
	start      time.Time

	mu    sync.Mutex
	last  search.Progress
	drawn int // length of the line on screen

	quit, done chan struct{}
}

// startProgress starts the status line of a search on w, when w is a
// terminal and quiet is false; otherwise it returns nil (whose methods do
// nothing).
func startProgress(w io.Writer, quiet bool, hypotheses bool) *progressLine {
	if quiet || !isTerminal(w) {
		return nil
	}
	fd := int(w.(*os.File).Fd())
	width := func() int {
		cols, _, err := term.GetSize(fd)
		if err != nil {
			return 0
		}
		return cols
	}
	return newProgressLine(w, width, hypotheses, progressDelay, progressEvery)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newProgressLine(w io.Writer, width func() int, hypotheses bool, delay, every time.Duration) *progressLine {
	p := &progressLine{w: w, width: width, hypotheses: hypotheses, start: time.Now(),
		quit: make(chan struct{}), done: make(chan struct{})}
	go p.loop(delay, every)
	return p
}

func (p *progressLine) loop(delay, every time.Duration) {
	defer close(p.done)
	select {
	case <-p.quit:
		return
	case <-time.After(delay):
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		p.draw()
		select {
		case <-p.quit:
			return
		case <-tick.C:
		}
	}
}

// update records the latest snapshot of the search (search.Config.Progress).
func (p *progressLine) update(s search.Progress) {
	p.mu.Lock()
	p.last = s
	p.mu.Unlock()
}

// text is the status line for the latest snapshot.
func (p *progressLine) text() string {
	p.mu.Lock()
	s := p.last
	p.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "searching: %s, %d executions", time.Since(p.start).Round(100*time.Millisecond), s.Executions)
	if p.hypotheses {
		fmt.Fprintf(&b, ", %d hypotheses pending", s.Queued)
	}
	if s.Counterexamples > 0 {
		fmt.Fprintf(&b, ", %d counterexamples so far", s.Counterexamples)
	} else {
		b.WriteString(", no counterexample yet")
	}
	return b.String()
}

func (p *progressLine) draw() {
	line := p.text()
	if cols := p.width(); cols > 1 && len(line) >= cols {
		line = line[:cols-1] // never wrap: \r only returns within one row
	}
	pad := max(p.drawn-len(line), 0)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	p.drawn = len(line)
}

// end stops the status line and clears it, if it was drawn.
func (p *progressLine) end() {
	if p == nil {
		return
	}
	close(p.quit)
	<-p.done
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.drawn))
	}
}

// progress returns the search callback of the line (nil without a line).
func (p *progressLine) progress() func(search.Progress) {
	if p == nil {
		return nil
	}
	return p.update
}
