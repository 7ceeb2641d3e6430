package hypothesis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crillab/gophersat/solver"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// ErrGraph is wrapped by the errors about a malformed support graph. It is
// lineage.ErrMalformed: the graph is checked by lineage.Graph.Check.
var ErrGraph = lineage.ErrMalformed

// Options tune Minimal. The zero value asks for every hypothesis.
type Options struct {
	// Limit is the maximum number of hypotheses to return (0: all). In
	// Exact mode the result is the first Limit of the full, ordered list;
	// in Auto mode too as far as sizes up to ExactSize go; hypotheses found
	// greedily are the first Limit found, sorted.
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
	// PartialLevel, with a Limit, stops as soon as Limit hypotheses are
	// found instead of enumerating the whole size level where the limit is
	// reached in order to return its String()-smallest members. The result
	// is still deterministic and made of minimal sets, smallest sizes
	// first, but within the last size it holds the first ones the solver
	// found (sorted), not a prefix of the full list. Use it when a size
	// can hold thousands of hypotheses (e.g. an outcome with many
	// alternative derivations, each of several sends).
	PartialLevel bool
	// Mode selects the search: Auto (the zero value) enumerates the sizes
	// up to ExactSize exactly and finds larger hypotheses greedily; Exact
	// enumerates every size exactly; Greedy is greedy from the start. See
	// the package documentation ("Greedy mode").
	Mode Mode
	// ExactSize is, in Auto mode, the largest size enumerated exactly
	// (0: DefaultExactSize).
	ExactSize int
	// Skip, when set, is asked about each hypothesis found; those it
	// reports true for are left out of the result (and do not count
	// toward Limit) but still count as found, so their supersets are not
	// proposed. Use it for schedules already run, or symmetric to one
	// that was.
	Skip func(fault.Schedule) bool
}

// Mode is how Minimal looks for hypotheses.
type Mode uint8

const (
	// Auto is Exact for the sizes up to Options.ExactSize, then Greedy.
	Auto Mode = iota
	// Exact enumerates sizes in ascending order with cardinality
	// constraints: the result is a prefix of the full ordered list (with
	// PartialLevel, up to the order inside the last size).
	Exact
	// Greedy asks the solver for any cutting schedule with no size bound,
	// shrinks it to a subset-minimal one, blocks its supersets and repeats:
	// no cardinality constraint, but the hypotheses found first are not
	// necessarily the smallest. Without Limit the result is the full list.
	Greedy
)

func (m Mode) String() string {
	switch m {
	case Auto:
		return "auto"
	case Exact:
		return "exact"
	case Greedy:
		return "greedy"
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// DefaultExactSize is the ExactSize of Auto mode when Options.ExactSize is
// 0: hypotheses of up to this many faults are found smallest first.
const DefaultExactSize = 8

// Stats describe one call of Minimal.
type Stats struct {
	FaultVars   int           // fault variables (omissions and crash times)
	Variables   int           // all variables (faults and graph nodes)
	Clauses     int           // constraints of the base problem (clauses and cardinality constraints)
	Blocked     int           // blocking clauses added (hypotheses found, skipped ones included)
	Levels      int           // sizes enumerated (sizes with no hypothesis are skipped)
	Greedy      int           // hypotheses found greedily (skipped ones included)
	SolverCalls int           // calls to the SAT solver
	Build       time.Duration // encoding the support and building solvers
	Solve       time.Duration // inside the SAT solver
}

// Minimal returns the hypotheses for support s within the bounds p: the
// minimal fault schedules (extending o.Base) that cut at least one of the
// support's outcomes, smallest first (by number of faults, then by
// String()), each in canonical form, no two equal. See the package
// documentation for the exact definition, and for Options.Mode (by
// default, hypotheses of more than DefaultExactSize faults are found
// greedily: subset-minimal, but not necessarily the smallest first).
//
// The parameters and the base schedule must be valid (fault.Params.Validate,
// ValidateSchedule); a malformed graph is an error wrapping ErrGraph.
//
// Minimal checks ctx before each solver call and returns ctx.Err() once
// ctx is done (a single solver call is not interrupted). It is safe for
// concurrent use: concurrent calls take turns only for the duration of
// each solver call (see solverMu).
func Minimal(ctx context.Context, s *lineage.Support, p fault.Params, o Options) ([]fault.Schedule, Stats, error) {
	var st Stats
	base, err := validateInput(p, o)
	if err != nil {
		return nil, st, err
	}
	start := time.Now()
	e, err := encode(s, p, base)
	if err == nil {
		err = e.err
	}
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

	r := run{ctx: ctx, e: e, s: s, o: o, st: &st, base: normalize(e.constrs, e.nvars+1), seen: map[string]bool{}}
	err = r.enumerate()
	if err == nil {
		// An evaluation that failed on the way is a bug: see encoding.cuts.
		err = e.err
	}
	if err != nil {
		return nil, st, err
	}
	return r.out, st, nil
}

// validateInput checks the parameters and options of Minimal and returns
// the canonical base schedule.
func validateInput(p fault.Params, o Options) (fault.Schedule, error) {
	if err := p.Validate(); err != nil {
		return fault.Schedule{}, err
	}
	base := o.Base.Canonical()
	if err := p.ValidateSchedule(base); err != nil {
		return fault.Schedule{}, fmt.Errorf("base schedule: %w", err)
	}
	if o.Limit < 0 || o.MaxSize < 0 || o.ExactSize < 0 {
		return fault.Schedule{}, fmt.Errorf("hypothesis: negative Limit (%d), MaxSize (%d) or ExactSize (%d)", o.Limit, o.MaxSize, o.ExactSize)
	}
	if o.Mode > Greedy {
		return fault.Schedule{}, fmt.Errorf("hypothesis: unknown mode %d", o.Mode)
	}
	return base, nil
}

// enumerate fills r.out: the sizes up to the exact bound of the mode one
// level at a time, then the larger hypotheses greedily.
func (r *run) enumerate() error {
	maxSize, exactSize := r.sizeBounds()
	limitReached, err := r.enumerateExact(exactSize)
	if err != nil || limitReached || exactSize == maxSize {
		return err
	}
	// Every hypothesis of at most exactSize faults is found (and blocked):
	// look for the larger ones greedily.
	return r.enumerateGreedy(exactSize, maxSize)
}

// sizeBounds returns the largest size of a hypothesis (within MaxSize)
// and the largest size enumerated exactly, level by level.
func (r *run) sizeBounds() (maxSize, exactSize int) {
	maxSize = r.e.maxSize()
	if r.o.MaxSize > 0 {
		maxSize = min(maxSize, r.o.MaxSize)
	}
	exactSize = maxSize
	switch r.o.Mode {
	case Auto:
		k := r.o.ExactSize
		if k == 0 {
			k = DefaultExactSize
		}
		exactSize = min(exactSize, k)
	case Greedy:
		exactSize = 0
	}
	return maxSize, exactSize
}

// enumerateExact records the hypotheses of 1..exactSize faults, smallest
// first and each size in String() order. It reports whether Limit was
// reached.
func (r *run) enumerateExact(exactSize int) (limitReached bool, err error) {
	for k := 1; k <= exactSize; {
		// The smallest size >= k that has a hypothesis, if any.
		m, err := r.next(k, exactSize)
		if err != nil || m == 0 {
			return false, err
		}
		need := 0
		if r.o.PartialLevel && r.o.Limit > 0 {
			need = r.o.Limit - len(r.out)
		}
		r.st.Levels++
		level, err := r.collect(m, r.exactly(m), need)
		if err != nil {
			return false, err
		}
		// Order the level by String() (ties are impossible: distinct sets
		// of fault variables have distinct canonical schedules).
		slices.SortFunc(level, func(a, b levelEntry) int { return strings.Compare(a.key, b.key) })
		if limitReached, err := r.record(level, true); limitReached || err != nil {
			return limitReached, err
		}
		k = m + 1
	}
	return false, nil
}

// enumerateGreedy records the hypotheses of more than lo and at most hi
// faults found greedily (see greedily), sorted by size then String().
func (r *run) enumerateGreedy(lo, hi int) error {
	need := 0
	if r.o.Limit > 0 {
		need = r.o.Limit - len(r.out)
	}
	found, err := r.collect(hi, r.greedily(lo, hi), need)
	if err != nil {
		return err
	}
	slices.SortFunc(found, func(a, b levelEntry) int {
		return cmp.Or(cmp.Compare(a.size, b.size), strings.Compare(a.key, b.key))
	})
	_, err = r.record(found, false)
	return err
}

// record appends the accepted hypotheses of found to r.out, in order,
// failing on one found twice. With stopAtLimit it stops once r.out holds
// Limit of them and reports so.
func (r *run) record(found []levelEntry, stopAtLimit bool) (limitReached bool, err error) {
	for _, h := range found {
		if r.seen[h.key] {
			return false, fmt.Errorf("hypothesis: internal error: %s found twice", h.key)
		}
		r.seen[h.key] = true
		if !h.accepted {
			continue
		}
		r.out = append(r.out, h.sched)
		if stopAtLimit && r.o.Limit > 0 && len(r.out) == r.o.Limit {
			return true, nil
		}
	}
	return false, nil
}

// accepts reports whether a hypothesis goes into the result: it contains
// no Exclude entry and Skip does not leave it out.
func (r *run) accepts(sched fault.Schedule) bool {
	return !containsAny(sched, r.e.post) && (r.o.Skip == nil || !r.o.Skip(sched))
}

// collect is the enumeration loop: it asks one solver, under the blocking
// clauses and (when maxFaults is below the largest size) at most maxFaults
// faults, for models; toHypothesis turns each into a hypothesis, which is
// recorded and blocked, until the solver finds none or need of them are
// accepted (need 0: all).
func (r *run) collect(maxFaults int, toHypothesis func(model []faultVar) ([]faultVar, fault.Schedule, error), need int) ([]levelEntry, error) {
	extra := slices.Clone(r.blocks)
	if maxFaults < r.e.maxSize() {
		extra = append(extra, atMost(r.e.sizeLits(), maxFaults))
	}
	sv := r.newSolver(extra)
	var out []levelEntry
	accepted := 0
	for {
		sat, err := r.solve(sv)
		if err != nil {
			return nil, err
		}
		if !sat {
			return out, nil
		}
		xs, sched, err := toHypothesis(r.e.decode(sv.Model()))
		if err != nil {
			return nil, err
		}
		h := levelEntry{sched: sched, key: sched.String(), size: len(xs)}
		h.accepted = r.accepts(sched)
		out = append(out, h)
		if h.accepted {
			accepted++
		}
		block := r.e.block(xs)
		r.blocks = append(r.blocks, block)
		r.st.Blocked++
		sv.Add(block)
		if need > 0 && accepted == need {
			return out, nil
		}
	}
}

// exactly is the collect step of a level of k faults: all smaller
// hypotheses are blocked (their supersets are excluded), so every model with
// at most k faults is a minimal cutter of size k, as check verifies.
func (r *run) exactly(k int) func([]faultVar) ([]faultVar, fault.Schedule, error) {
	return func(xs []faultVar) ([]faultVar, fault.Schedule, error) {
		sched := r.e.schedule(xs)
		return xs, sched, r.check(xs, k, sched)
	}
}

// greedily is the collect step of greedy mode, for hypotheses of more than
// lo and at most hi faults (all smaller ones are blocked), with no size
// bound when hi is the largest possible size: any cutting model is shrunk
// to a subset-minimal cutter, counted in Stats.Greedy.
func (r *run) greedily(lo, hi int) func([]faultVar) ([]faultVar, fault.Schedule, error) {
	return func(xs []faultVar) ([]faultVar, fault.Schedule, error) {
		if !r.e.cuts(xs) {
			return nil, fault.Schedule{}, fmt.Errorf("hypothesis: internal error: model %s does not cut", r.e.schedule(xs))
		}
		// shrink only keeps cutting sets, and without Not no fault of
		// its result can be dropped (run.check would only repeat it).
		xs, err := r.minimize(r.shrink(xs))
		if err != nil {
			return nil, fault.Schedule{}, err
		}
		sched := r.e.schedule(xs)
		if len(xs) <= lo || len(xs) > hi {
			return nil, fault.Schedule{}, fmt.Errorf("hypothesis: internal error: greedy model %s has %d faults, outside %d..%d", sched, len(xs), lo+1, hi)
		}
		r.st.Greedy++
		return xs, sched, nil
	}
}

// minimize returns a subset-minimal cutter contained in xs, a cutter that
// shrink returned. Without Not nodes that is xs itself (cutting is
// monotone). With them, a smaller cutting subset may still exist: unless
// cutting is monotone over the subsets of xs (encoding.monotoneWithin),
// the solver is asked for a proper subset of xs that cuts (on a
// small CNF, see encoding.subsets), which is shrunk in turn, until there
// is none.
func (r *run) minimize(xs []faultVar) ([]faultVar, error) {
	if !r.e.hasNot {
		return xs, nil
	}
	for {
		if r.e.monotoneWithin(xs) {
			// Monotone over the subsets of xs: one more pass of
			// shrink leaves a set from which no fault can be dropped
			// (the first pass may have kept a fault whose removal did
			// not cut only because of faults it dropped later).
			return r.shrink(xs), nil
		}
		cs, nv := r.e.subsets(xs)
		if nv == 0 {
			return xs, nil
		}
		sv := newGophersat(nil, cs, nv)
		sat, err := r.solve(sv)
		if err != nil {
			return nil, err
		}
		if !sat {
			return xs, nil
		}
		var ys []faultVar
		for j, keep := range sv.Model()[:len(xs)] {
			if keep {
				ys = append(ys, xs[j])
			}
		}
		ys = r.shrink(ys)
		if len(ys) >= len(xs) || !r.e.cuts(ys) {
			return nil, fmt.Errorf("hypothesis: internal error: %s is no smaller cutting subset of %s", r.e.schedule(ys), r.e.schedule(xs))
		}
		xs = ys
	}
}

// run is the state of the enumeration: the blocking clauses and the
// hypotheses found so far.
type run struct {
	ctx    context.Context
	e      *encoding
	s      *lineage.Support // the support e encodes
	o      Options
	st     *Stats
	base   []solver.CardConstr // e.constrs, normalized
	blocks []solver.CardConstr
	out    []fault.Schedule // the result so far
	seen   map[string]bool  // String() of every hypothesis found, accepted or not
}

type levelEntry struct {
	sched    fault.Schedule
	key      string
	accepted bool // not filtered out by Skip or an Exclude entry
	size     int  // faults added to the base
}

// next returns the smallest size in lo..hi that has a hypothesis, or 0 if
// there is none. All hypotheses smaller than lo are blocked. It descends:
// find any cutter, shrink it to a minimal one of size m (by dropping faults
// while it still cuts), then ask for one of at most m−1 faults, until that
// is unsatisfiable or m reaches lo. Sizes with no hypothesis cost nothing.
func (r *run) next(lo, hi int) (int, error) {
	extra := slices.Clone(r.blocks)
	if hi < r.e.maxSize() {
		extra = append(extra, atMost(r.e.sizeLits(), hi))
	}
	sv := r.newSolver(extra)
	best := 0
	for {
		sat, err := r.solve(sv)
		if err != nil {
			return 0, err
		}
		if !sat {
			return best, nil
		}
		xs := r.shrink(r.e.decode(sv.Model()))
		if len(xs) < lo || len(xs) > hi || !r.e.cuts(xs) {
			return 0, fmt.Errorf("hypothesis: internal error: model %s (%d faults) outside %d..%d or not cutting", r.e.schedule(xs), len(xs), lo, hi)
		}
		best = len(xs)
		if best == lo {
			return best, nil
		}
		sv.Add(atMost(r.e.sizeLits(), best-1))
	}
}

// shrink drops faults from xs, in order, while it still cuts an outcome.
func (r *run) shrink(xs []faultVar) []faultVar {
	for i := 0; i < len(xs); {
		fewer := slices.Delete(slices.Clone(xs), i, i+1)
		if r.e.cuts(fewer) {
			xs = fewer
		} else {
			i++
		}
	}
	return xs
}

// newSolver builds a solver for the base constraints and the given extra
// ones (the caller includes the blocking clauses).
func (r *run) newSolver(extra []solver.CardConstr) satSolver {
	t0 := time.Now()
	sv := newGophersat(r.base, extra, r.e.nvars)
	r.st.Build += time.Since(t0)
	return sv
}

// check verifies a model against the direct semantics: base ∪ vars cuts an
// outcome, has k faults, and dropping any one of them cuts none (without
// Not nodes cutting is monotone in the fault set, so that is minimality;
// with them it is a necessary condition). A failure is a bug in the
// encoding, reported rather than returned as a wrong hypothesis.
func (r *run) check(xs []faultVar, k int, sched fault.Schedule) error {
	if len(xs) != k || !r.e.cuts(xs) {
		return fmt.Errorf("hypothesis: internal error: model %s (%d faults, level %d) does not cut a minimal set", sched, len(xs), k)
	}
	for i := range xs {
		fewer := slices.Delete(slices.Clone(xs), i, i+1)
		if r.e.cuts(fewer) {
			return fmt.Errorf("hypothesis: internal error: model %s is not minimal", sched)
		}
	}
	return nil
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

// solve runs one SAT call, counting it and its time in the statistics.
// Before it, it returns ctx's error once ctx is done, and the evaluation
// error of cuts if there was one: every loop of the enumeration calls it
// between its steps.
func (r *run) solve(sv satSolver) (bool, error) {
	if err := r.ctx.Err(); err != nil {
		return false, err
	}
	if r.e.err != nil {
		return false, r.e.err
	}
	t0 := time.Now()
	solverMu.Lock()
	sat := sv.Solve()
	solverMu.Unlock()
	r.st.Solve += time.Since(t0)
	r.st.SolverCalls++
	return sat, nil
}
