package hypothesis

import (
	"slices"
	"sync"

	"github.com/crillab/gophersat/solver"
)

// satSolver is all the enumeration needs from a SAT solver: constraints
// are gophersat's plain CardConstr values ("at least AtLeast of Lits",
// clauses having AtLeast 1), variables are 1..n.
type satSolver interface {
	// Solve reports whether the constraints so far are satisfiable.
	Solve() bool
	// Model is the last model: model[v-1] is variable v.
	Model() []bool
	// Add adds a constraint; the solver keeps what it learned.
	Add(c solver.CardConstr)
}

// solverMu serialises gophersat's Solve calls across the process. The
// package shares one scratch buffer between all its solvers (bufLits in
// solver/learn.go, v1.4.0, the latest release: conflict analysis writes
// the learned clause there), so two solvers must never search at the same
// time. Nothing else of gophersat is shared (building a solver and adding
// clauses do not touch it), so run.solve holds the lock for one Solve call
// only: concurrent Minimal calls interleave between solver calls, and a
// cancelled one stops at its next call without waiting for the others'
// whole enumerations.
var solverMu sync.Mutex

// gophersat adapts github.com/crillab/gophersat.
type gophersat struct {
	s     *solver.Solver
	unsat bool // an impossible constraint was added
}

// newGophersat builds a solver over variables 1..nvars for constraints
// already normalized (see normalize) and extra ones.
func newGophersat(normalized, extra []solver.CardConstr, nvars int) *gophersat {
	cs := slices.Concat(normalized, normalize(extra, nvars+1))
	return &gophersat{s: solver.New(solver.ParseCardConstrs(cs))}
}

func (g *gophersat) Solve() bool   { return !g.unsat && g.s.Solve() == solver.Sat }
func (g *gophersat) Model() []bool { return g.s.Model() }

// Add appends c to the live solver. AppendClause simplifies by the
// solver's current units itself (a unit is propagated), so c is given as
// is, without normalize's spare variable: a variable the solver has not
// seen would go through a path of gophersat that does not grow all its
// tables. Constraints only use variables of the problem.
func (g *gophersat) Add(c solver.CardConstr) {
	lits := slices.Clone(c.Lits)
	slices.Sort(lits)
	lits = slices.Compact(lits)
	if c.AtLeast <= 0 {
		return
	}
	if c.AtLeast > len(lits) {
		g.unsat = true
		return
	}
	sl := make([]solver.Lit, len(lits))
	for i, l := range lits {
		sl[i] = solver.IntToLit(int32(l))
	}
	if c.AtLeast == 1 {
		g.s.AppendClause(solver.NewClause(sl))
	} else {
		g.s.AppendClause(solver.NewCardClause(sl, c.AtLeast))
	}
}

// normalize prepares constraints for gophersat, which does not simplify
// cardinality constraints by the unit clauses of the problem it is given:
// units never reach it as such. A unit l is given as the two clauses l ∨ d
// and l ∨ ¬d over the spare variable d, and the solver derives l by
// propagation. Duplicate literals are removed.
func normalize(cs []solver.CardConstr, d int) []solver.CardConstr {
	out := make([]solver.CardConstr, 0, len(cs))
	for _, c := range cs {
		lits := slices.Clone(c.Lits)
		slices.Sort(lits)
		lits = slices.Compact(lits)
		switch {
		case c.AtLeast <= 0:
			continue
		case c.AtLeast > len(lits):
			// Unsatisfiable: d and ¬d.
			out = append(out, solver.AtLeast1(d, d+1), solver.AtLeast1(d, -(d+1)),
				solver.AtLeast1(-d, d+1), solver.AtLeast1(-d, -(d+1)))
		case c.AtLeast == len(lits):
			for _, l := range lits {
				out = append(out, solver.AtLeast1(l, d), solver.AtLeast1(l, -d))
			}
		default:
			out = append(out, solver.CardConstr{Lits: lits, AtLeast: c.AtLeast})
		}
	}
	return out
}
