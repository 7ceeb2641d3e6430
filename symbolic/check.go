package symbolic

import (
	"context"
	"fmt"
	"time"

	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// Options tune one exact check.
type Options struct {
	// MaxInstances bounds the ground rule instances of the universe (0:
	// DefaultMaxInstances). Above it Check fails with ErrTooLarge.
	MaxInstances int
}

// Stats measure one exact check.
type Stats struct {
	Tuples    int // ground tuples in the universe (all times)
	Instances int // ground rule instances
	PreTuples int // pre tuples at EOT whose formula is not constant false
	FaultVars int // omission, crash-time and asynchrony input variables
	Gates     int // AND gates of the circuit after structural hashing
	Vars      int // solver variables
	Clauses   int // solver clauses
	// SolverCalls counts the satisfiability questions (the first, then the
	// cardinality bounds that shrink a model to the fewest faults).
	SolverCalls int
	BuildTime   time.Duration
	SolveTime   time.Duration
}

// Result is the answer of an exact check.
type Result struct {
	// Violated reports that some schedule within the bounds breaks the
	// invariant; Schedule is one with the fewest faults. When false, no
	// schedule does: an exact certificate.
	Violated bool
	Schedule fault.Schedule
	// Vacuous reports, for a certificate, that no schedule within the
	// bounds has a pre tuple at EOT: the invariant constrained nothing.
	Vacuous bool
	Stats   Stats
}

// Check decides whether a schedule within p's bounds makes some pre tuple
// at EOT hold without its post. The program must have both invariant
// relations. Errors wrap ErrUnsupported, ErrTooLarge or the context's
// error.
func Check(ctx context.Context, prog *dedalus.Program, p fault.Params, opts Options) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if prog.Pre == dedalus.NoRel || prog.Post == dedalus.NoRel {
		return nil, fmt.Errorf("the program has no pre/post invariant to check")
	}
	start := time.Now()
	e := newEncoder(ctx, prog, p, opts.MaxInstances)
	if err := e.build(); err != nil {
		return nil, err
	}
	bad, anyPre, npre := e.question()
	res := &Result{}
	s := e.solverFor(bad, &res.Stats, start)
	res.Stats.PreTuples = npre

	solveStart := time.Now()
	defer func() { res.Stats.SolveTime = time.Since(solveStart) }()
	// The question is assumed, not asserted, so that the same solver can
	// then ask whether any pre tuple can hold at all.
	sat, err := s.solve(bad)
	res.Stats.SolverCalls++
	if err != nil {
		return nil, err
	}
	if !sat {
		if npre > 0 {
			some, err := s.solve(anyPre)
			res.Stats.SolverCalls++
			if err != nil {
				return nil, err
			}
			res.Vacuous = !some
		} else {
			res.Vacuous = true
		}
		return res, nil
	}
	best, err := e.fewestFaults(s, bad, &res.Stats.SolverCalls)
	if err != nil {
		return nil, err
	}
	res.Violated, res.Schedule = true, best.Canonical()
	return res, nil
}

// fewestFaults shrinks the solver's model of goal to one with the fewest
// faults: a binary search on a cardinality bound over the fault costs (the
// sorter built only now that a model exists). It counts its solver calls
// in calls.
func (e *encoder) fewestFaults(s *solver, goal z.Lit, calls *int) (fault.Schedule, error) {
	card := logic.NewCardSort(e.faults.costs(), e.c)
	best := e.faults.schedule(s)
	lo, hi := 0, best.Size()
	for lo < hi {
		mid := (lo + hi) / 2
		sat, err := s.solve(goal, card.Leq(mid))
		*calls++
		if err != nil {
			return best, err
		}
		if sat {
			best = e.faults.schedule(s)
			hi = best.Size()
		} else {
			lo = mid + 1
		}
	}
	return best, nil
}

// solverFor gives the solver the cone of goal and the bounds on the fault
// inputs, and fills the formula's sizes and build time into st (both
// questions, Check's and CheckConfluence's, ask over the same circuit).
func (e *encoder) solverFor(goal z.Lit, st *Stats, start time.Time) *solver {
	st.Tuples = len(e.u.tuples)
	st.Instances = e.instances
	st.FaultVars = len(e.faults.omit) + len(e.p.Nodes)*e.p.EOT*min(e.p.MaxCrashes, 1) + e.faults.asyncVarCount()
	s := newSolver(e.ctx, e.c)
	s.cone(goal)
	e.faults.constrain(s)
	st.Gates = e.c.Len()
	st.Vars = int(s.g.MaxVar())
	st.Clauses = s.clauses
	st.BuildTime = time.Since(start)
	return s
}

// question is the literal "some pre tuple at EOT holds without its post",
// the literal "some pre tuple holds", and the number of pre tuples at EOT
// whose formula is not constant false (an upper bound of those that can
// hold: only the solver can tell which do).
func (e *encoder) question() (bad, anyPre z.Lit, n int) {
	var bads, pres []z.Lit
	if tab := e.u.tabs[e.prog.Pre][e.p.EOT]; tab != nil {
		for _, id := range tab.rows {
			pre := &e.u.tuples[id]
			if pre.lit == e.c.F {
				continue
			}
			n++
			pres = append(pres, pre.lit)
			post := e.c.F
			if pid, ok := e.u.find(e.prog.Post, e.p.EOT, pre.args); ok {
				post = e.u.tuples[pid].lit
			}
			bads = append(bads, e.c.And(pre.lit, post.Not()))
		}
	}
	return e.c.Ors(bads...), e.c.Ors(pres...), n
}

// constrain gives the solver the bounds on the fault inputs: the crash
// budget, at most one crash per node, the omission budget, and the
// asynchrony constraints.
func (f *faultVars) constrain(s *solver) {
	if crashed := f.crashed(); len(crashed) > 0 && f.p.MaxCrashes < len(crashed) {
		s.unit(logic.NewCardSort(crashed, f.c).Leq(f.p.MaxCrashes))
	}
	f.atMostOneCrash(s)
	if b := f.omissionBudget(); b != z.LitNull {
		s.unit(b)
	}
	for _, cl := range f.asyncClauses() {
		s.clause(cl...)
	}
}

// omissionBudget is "at most MaxOmissions omissions" under an omission
// budget that can bind (LitNull otherwise).
func (f *faultVars) omissionBudget() z.Lit {
	if !f.p.OmissionsBounded || f.p.MaxOmissions >= len(f.omit) {
		return z.LitNull
	}
	return logic.NewCardSort(f.omitLits(), f.c).Leq(f.p.MaxOmissions)
}

// costs are the literals whose number of true ones is a model's fault
// count: omissions, "n crashed" per node, then the asynchrony faults.
func (f *faultVars) costs() []z.Lit {
	return append(append(f.omitLits(), f.crashed()...), f.asyncCosts()...)
}

func (f *faultVars) omitLits() []z.Lit {
	out := make([]z.Lit, len(f.omitOrder))
	for i, o := range f.omitOrder {
		out[i] = f.omit[o]
	}
	return out
}

// atMostOneCrash adds, per node, that it crashes at most once: a crash at
// t excludes having crashed by t-1 (a chain over the crashedBy gates,
// linear in EOT).
func (f *faultVars) atMostOneCrash(s *solver) {
	for _, n := range f.p.Nodes {
		vs, by := f.crash[n], f.crashedBy[n]
		for t := 2; t <= len(vs); t++ {
			s.cone(by[t-1])
			s.clause(vs[t-1].Not(), by[t-1].Not())
		}
	}
}

// schedule reads the schedule of a model.
func (f *faultVars) schedule(m *solver) fault.Schedule {
	var s fault.Schedule
	for _, n := range f.p.Nodes {
		for t, v := range f.crash[n] {
			if m.value(v) {
				s.Crashes = append(s.Crashes, fault.Crash{Node: n, Time: t + 1})
				break
			}
		}
	}
	for _, o := range f.omitOrder {
		if m.value(f.omit[o]) {
			s.Omissions = append(s.Omissions, o)
		}
	}
	f.asyncSchedule(m, &s)
	return s
}
