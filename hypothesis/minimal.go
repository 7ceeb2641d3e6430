package hypothesis

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crillab/gophersat/solver"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// ErrGraph is wrapped by the errors about a malformed support graph.
var ErrGraph = errors.New("hypothesis: malformed support graph")

// Options tune Minimal. The zero value asks for every hypothesis.
type Options struct {
	// Limit is the maximum number of hypotheses to return (0: all). The
	// result is always the first Limit of the full, ordered list.
	Limit int
	// MaxSize bounds the number of faults a hypothesis adds to Base
	// (0: no bound).
	MaxSize int
	// Base holds faults every hypothesis must contain (the faults of the
	// run the support was learned from). Hypotheses are minimal among the
	// supersets of Base: Base ∪ X where no smaller X cuts. The result is
	// the canonical form of Base ∪ X, so a base omission whose sender X
	// crashes at or before its time is absorbed into the crash.
	Base fault.Schedule
	// Exclude forbids these schedules and their supersets (containment of
	// canonical fault sets): nothing containing an excluded schedule is
	// returned, and nothing is proposed instead of it.
	Exclude []fault.Schedule
	// Skip, when set, is asked about each hypothesis in order; those it
	// reports true for are left out of the result (and do not count
	// toward Limit) but still count as found, so their supersets are not
	// proposed. Use it for schedules already run, or symmetric to one
	// that was.
	Skip func(fault.Schedule) bool
}

// Stats describe one call of Minimal.
type Stats struct {
	FaultVars   int           // fault variables (omissions and crash times)
	Variables   int           // all variables (faults and graph nodes)
	Clauses     int           // constraints of the base problem (clauses and cardinality constraints)
	Blocked     int           // blocking clauses added (hypotheses found, skipped ones included)
	Levels      int           // size bounds tried
	SolverCalls int           // calls to the SAT solver
	Build       time.Duration // encoding the support and building solvers
	Solve       time.Duration // inside the SAT solver
}

// The solver package shares a scratch buffer between all its solvers, so
// solving is serialised across goroutines.
var solverMu sync.Mutex

// Minimal returns the hypotheses for support s within the bounds p: the
// minimal fault schedules (extending o.Base) that cut at least one of the
// support's outcomes, smallest first (by number of faults, then by
// String()), each in canonical form, no two equal. See the package
// documentation for the exact definition.
//
// The parameters and the base schedule must be valid (fault.Params.Validate,
// ValidateSchedule); a malformed graph is an error wrapping ErrGraph.
// Minimal is safe for concurrent use; calls are serialised while solving.
func Minimal(s *lineage.Support, p fault.Params, o Options) ([]fault.Schedule, Stats, error) {
	var st Stats
	if err := p.Validate(); err != nil {
		return nil, st, err
	}
	base := o.Base.Canonical()
	if err := p.ValidateSchedule(base); err != nil {
		return nil, st, fmt.Errorf("base schedule: %w", err)
	}
	if o.Limit < 0 || o.MaxSize < 0 {
		return nil, st, fmt.Errorf("hypothesis: negative Limit (%d) or MaxSize (%d)", o.Limit, o.MaxSize)
	}

	start := time.Now()
	e, err := encode(s, p, base)
	if err != nil {
		return nil, st, err
	}
	if e.rootCut {
		// The base alone cuts an outcome: the empty extension is the only
		// minimal one.
		st.Build = time.Since(start)
		var out []fault.Schedule
		if !containsAny(base, o.Exclude) && (o.Skip == nil || !o.Skip(base)) {
			out = append(out, base)
		}
		return out, st, nil
	}
	if e.noCut {
		st.Build = time.Since(start)
		return nil, st, nil
	}
	for _, x := range o.Exclude {
		e.exclude(x)
	}
	st.FaultVars, st.Variables, st.Clauses = len(e.faults), e.nvars, len(e.constrs)
	st.Build = time.Since(start)
	if e.allExcluded {
		return nil, st, nil
	}

	solverMu.Lock()
	defer solverMu.Unlock()
	r := run{e: e, s: s, st: &st}
	var out []fault.Schedule
	maxK := len(e.faults)
	if o.MaxSize > 0 {
		maxK = min(maxK, o.MaxSize)
	}
	for k := 1; k <= maxK; k++ {
		level, err := r.level(k, k < len(e.faults))
		if err != nil {
			return nil, st, err
		}
		if len(level) == 0 && k < len(e.faults) {
			// Nothing of size k: is anything left at all?
			if sat, err := r.any(); err != nil || !sat {
				return out, st, err
			}
		}
		// Order the level by String() (ties are impossible: distinct sets
		// of fault variables have distinct canonical schedules).
		slices.SortFunc(level, func(a, b levelEntry) int { return strings.Compare(a.key, b.key) })
		for _, h := range level {
			if o.Skip != nil && o.Skip(h.sched) {
				continue
			}
			out = append(out, h.sched)
			if o.Limit > 0 && len(out) == o.Limit {
				return out, st, nil
			}
		}
	}
	return out, st, nil
}

// run is the state of the enumeration: the blocking clauses found so far.
type run struct {
	e      *encoding
	s      *lineage.Support
	st     *Stats
	blocks []solver.CardConstr
}

type levelEntry struct {
	sched fault.Schedule
	key   string
}

// level enumerates every hypothesis of exactly k added faults. All smaller
// hypotheses are blocked (their supersets are excluded), so every model with
// at most k faults is a minimal cutter of size k.
func (r *run) level(k int, bounded bool) ([]levelEntry, error) {
	r.st.Levels++
	t0 := time.Now()
	cs := slices.Concat(r.e.constrs, r.blocks)
	if bounded {
		cs = append(cs, atMost(r.e.faultLits(), k))
	}
	sv := newSolver(cs, r.e.nvars)
	r.st.Build += time.Since(t0)
	var out []levelEntry
	for {
		t1 := time.Now()
		status := sv.Solve()
		r.st.Solve += time.Since(t1)
		r.st.SolverCalls++
		if status != solver.Sat {
			return out, nil
		}
		model := sv.Model()
		var vars []int
		for v := 1; v <= len(r.e.faults); v++ {
			if v-1 < len(model) && model[v-1] {
				vars = append(vars, v)
			}
		}
		sched := r.e.schedule(vars)
		if err := r.check(vars, k, sched); err != nil {
			return nil, err
		}
		out = append(out, levelEntry{sched, sched.String()})
		block := make([]int, len(vars))
		for i, v := range vars {
			block[i] = -v
		}
		r.blocks = append(r.blocks, solver.AtLeast1(block...))
		r.st.Blocked++
		lits := make([]solver.Lit, len(block))
		for i, l := range block {
			lits[i] = solver.IntToLit(int32(l))
		}
		sv.AppendClause(solver.NewClause(lits))
	}
}

// any reports whether any extension not yet blocked still cuts an outcome.
func (r *run) any() (bool, error) {
	t0 := time.Now()
	sv := newSolver(slices.Concat(r.e.constrs, r.blocks), r.e.nvars)
	t1 := time.Now()
	r.st.Build += t1.Sub(t0)
	status := sv.Solve()
	r.st.Solve += time.Since(t1)
	r.st.SolverCalls++
	return status == solver.Sat, nil
}

// check verifies a model against the direct semantics: base ∪ vars cuts an
// outcome, has k faults, and dropping any one of them cuts none (cutting is
// monotone in the fault set, so that is minimality). A failure is a bug in
// the encoding, reported rather than returned as a wrong hypothesis.
func (r *run) check(vars []int, k int, sched fault.Schedule) error {
	if len(vars) != k || len(Cuts(r.s, sched)) == 0 {
		return fmt.Errorf("hypothesis: internal error: model %s (%d faults, level %d) does not cut a minimal set", sched, len(vars), k)
	}
	for i := range vars {
		fewer := slices.Delete(slices.Clone(vars), i, i+1)
		if len(Cuts(r.s, r.e.schedule(fewer))) > 0 {
			return fmt.Errorf("hypothesis: internal error: model %s is not minimal", sched)
		}
	}
	return nil
}

// newSolver builds a solver for the constraints over variables 1..nvars.
// gophersat does not simplify cardinality constraints by the unit clauses
// of the problem it is given, so units never reach it as such: a unit l is
// given as the two clauses l ∨ d and l ∨ ¬d over a spare variable d, and the
// solver derives l by propagation. Duplicate literals are removed.
func newSolver(cs []solver.CardConstr, nvars int) *solver.Solver {
	d := nvars + 1
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
	return solver.New(solver.ParseCardConstrs(out))
}

// containsAny reports whether canonical schedule s contains one of xs.
func containsAny(s fault.Schedule, xs []fault.Schedule) bool {
	for _, x := range xs {
		if Contains(s, x) {
			return true
		}
	}
	return false
}

// Contains reports whether the canonical form of s contains every fault of
// the canonical form of x.
func Contains(s, x fault.Schedule) bool {
	s, x = s.Canonical(), x.Canonical()
	for _, c := range x.Crashes {
		if !slices.Contains(s.Crashes, c) {
			return false
		}
	}
	for _, o := range x.Omissions {
		if !slices.Contains(s.Omissions, o) {
			return false
		}
	}
	return true
}
