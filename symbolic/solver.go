package symbolic

import (
	"context"
	"time"

	"github.com/go-air/gini"
	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"
)

// solver is a gini instance holding the circuit's clauses, counted, with
// solving that stops when the context ends.
type solver struct {
	ctx     context.Context
	g       *gini.Gini
	clauses int
}

// counter passes clauses to gini and counts them.
type counter struct{ s *solver }

func (a counter) Add(m z.Lit) {
	if m == z.LitNull {
		a.s.clauses++
	}
	a.s.g.Add(m)
}

func newSolver(ctx context.Context, c *logic.C) *solver {
	s := &solver{ctx: ctx, g: gini.New()}
	c.ToCnf(counter{s})
	return s
}

func (s *solver) clause(ms ...z.Lit) {
	for _, m := range ms {
		s.g.Add(m)
	}
	s.g.Add(z.LitNull)
	s.clauses++
}

func (s *solver) unit(m z.Lit) { s.clause(m) }

// solve answers satisfiability under the assumptions, polling the context
// between short waits (the wait grows from 100µs to 10ms, so quick answers
// stay quick).
func (s *solver) solve(assume ...z.Lit) (bool, error) {
	if err := s.ctx.Err(); err != nil {
		return false, err
	}
	s.g.Assume(assume...)
	run := s.g.GoSolve()
	wait := 100 * time.Microsecond
	for {
		if r, done := run.Test(); done {
			return r == 1, nil
		}
		if err := s.ctx.Err(); err != nil {
			run.Stop()
			return false, err
		}
		time.Sleep(wait)
		wait = min(2*wait, 10*time.Millisecond)
	}
}
