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
	c       *logic.C
	g       *gini.Gini
	clauses int
	// marks records the gates already given to the solver: only the cone
	// of what is asserted or assumed is encoded (the universe holds many
	// tuples the question never reads, and the fault sorter is needed only
	// once a model has been found).
	marks []int8
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
	return &solver{ctx: ctx, c: c, g: gini.New()}
}

// cone gives the solver the clauses of the gates below roots that it does
// not have yet.
func (s *solver) cone(roots ...z.Lit) {
	s.marks, _ = s.c.CnfSince(counter{s}, s.marks, roots...)
}

func (s *solver) clause(ms ...z.Lit) {
	for _, m := range ms {
		s.g.Add(m)
	}
	s.g.Add(z.LitNull)
	s.clauses++
}

// unit asserts m (with its cone).
func (s *solver) unit(m z.Lit) {
	s.cone(m)
	s.clause(m)
}

// value reads a variable of the last model; a variable outside every
// cone given to the solver is unconstrained, read as false.
func (s *solver) value(m z.Lit) bool {
	if m.Var() > s.g.MaxVar() {
		return false
	}
	return s.g.Value(m)
}

// solve answers satisfiability under the assumptions, polling the context
// between short waits (the wait grows from 100µs to 10ms, so quick answers
// stay quick).
func (s *solver) solve(assume ...z.Lit) (bool, error) {
	if err := s.ctx.Err(); err != nil {
		return false, err
	}
	s.cone(assume...)
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
