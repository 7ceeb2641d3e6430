package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// hypothesisFunc returns the minimal fault sets, within the bounds, that cut
// every derivation of the (single) outcome in sup, excluding the given
// schedules and their supersets, smallest first. It returns ctx.Err() once
// ctx is done.
type hypothesisFunc func(ctx context.Context, sup *lineage.Support, p fault.Params, exclude []fault.Schedule, skip func(fault.Schedule) bool, limit int) ([]fault.Schedule, error)

// refillLimit bounds the hypotheses asked of the solver per outcome and
// round: knowledge changes with every run, so hypotheses far down the list
// are mostly stale by their turn; asking again is cheaper than enumerating
// thousands.
const refillLimit = 8

// candidate is a schedule queued for a run, with the outcomes it is
// expected to cut.
type candidate struct {
	sched   fault.Schedule
	key     string // sched.String(), computed once
	targets []string
	keeps   bool // keeps the pre of some target, as far as is known
	// extra marks a schedule proposed for what it adds (a duplicate), not
	// for what it cuts: it runs even though it cuts no target.
	extra bool
}

// ldfiSearch is the sequential, deterministic core of the LDFI loop.
// Knowledge accumulates across runs: an outcome survives a schedule while any
// derivation learned from any run survives it. For monotone programs that is
// exact (a derivation seen in one run exists in every run that keeps its
// message sends), so a hypothesis that no longer cuts anything need not run,
// and "no hypothesis left" is a certificate.
type ldfiSearch struct {
	cfg     *Config
	exec    executor
	solve   hypothesisFunc
	sym     *Symmetry
	pf      *prefetcher
	kb      *lineage.Builder
	learner *lineage.Learner
	ref     *lineage.Reference // the fault-free run
	good    []string
	preName string
	// goodTuples are the post tuples of the good outcomes by atom text.
	goodTuples map[string]eval.Tuple
	// goodOutcomes are the good outcomes by the atom text of their post.
	goodOutcomes map[string]Outcome
	exclude      map[string][]fault.Schedule // per outcome: schedules (and supersets) known not to help
	cexBlock     []fault.Schedule            // counterexamples found (--all): supersets are not minimal
	tried        map[string]bool             // orbit representatives of schedules run
	queue        []candidate
	res          *Result
	start        time.Time
	ctx          context.Context
	// limit reports whether the run or time limit is reached, and why.
	limit func() (string, bool)
	// freePre reports a pre tuple at EOT in the fault-free run.
	freePre bool
	// handedOver is set when the loop stopped early to let the exact check
	// decide (Config.ExactAfter).
	handedOver bool
	// ahead is the exact check running beside the loop (nil when the
	// certificate needs none); consulted is set once the loop asked it
	// (consultCertifies).
	ahead     *exactAhead
	consulted bool
	// late are the late and duplicate arrivals proposed from the
	// fault-free run (async.go).
	late []fault.Schedule
}

// handOver reports whether the loop has run long enough without a
// counterexample that one exact check is the cheaper way to a verdict.
// The test counts executions, so the verdict stays deterministic.
func (s *ldfiSearch) handOver() bool {
	n := s.cfg.exactAfter()
	if n > 0 && s.consultCertifies() {
		return true
	}
	return n > 0 && !s.cfg.All && len(s.res.Counterexamples) == 0 && s.res.Executions >= n
}

// asyncConsultAt is the execution count at which, under asynchrony
// faults, the loop asks the exact check running beside it for its answer.
// The loop cannot certify there (only the exact check does), so once the
// cheap proposals of the first rounds have run, a certificate of the exact
// check ends the search; a counterexample there lets the loop go on
// looking for its own until the hand-over. Counting executions keeps the
// verdict deterministic: the answer is waited for, not raced.
const asyncConsultAt = 10

// consultCertifies asks the exact check once, at asyncConsultAt
// executions under asynchrony faults, and reports a certificate (or a
// vacuous one). Any other answer, an error included, lets the loop go on.
func (s *ldfiSearch) consultCertifies() bool {
	if s.ahead == nil || s.consulted || !s.cfg.Params.Async() || s.cfg.All ||
		len(s.res.Counterexamples) > 0 || s.res.Executions < asyncConsultAt {
		return false
	}
	s.consulted = true
	r, err := s.ahead.wait()
	return err == nil && !r.Violated
}

// removedBy says which send events sched removes (fault.Params.Lost);
// with asynchrony faults, which it keeps from arriving on time.
func (s *ldfiSearch) removedBy(sched fault.Schedule) func(lineage.Event) bool {
	p := s.cfg.Params
	if p.Async() {
		return func(e lineage.Event) bool { return missesOnTime(p, sched, e.From, e.To, e.Time) }
	}
	return func(e lineage.Event) bool { return p.Lost(sched, e.From, e.To, e.Time) }
}

// stillCuts reports which of h's targets the schedule still cuts under the
// current knowledge.
func (s *ldfiSearch) stillCuts(h candidate) ([]string, error) {
	rm := s.removedBy(h.sched)
	var out []string
	for _, o := range h.targets {
		ok, err := s.kb.OutcomeSurvives(o, rm)
		if err != nil {
			return nil, internalError(fmt.Errorf("evaluating the support of %s: %w", o, err))
		}
		if !ok {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *ldfiSearch) orbitKey(sched fault.Schedule) string {
	return s.sym.Canonical(sched).String()
}

// perms returns the identity (nil) followed by the symmetry permutations.
func (s *ldfiSearch) perms() []map[string]string {
	return append([]map[string]string{nil}, s.sym.Perms()...)
}

// learn adds what run e of sched teaches, for sched and every symmetric image.
func (s *ldfiSearch) learn(sched fault.Schedule, e *execution) (learned int) {
	if e.target != nil {
		return s.learnTarget(sched, e)
	}
	if e.result == nil {
		return 0
	}
	var present []string
	var ids []eval.TupleID
	for _, o := range s.good {
		if id, ok := e.ids[o]; ok {
			present = append(present, o)
			ids = append(ids, id)
		}
	}
	pres := e.preIDs
	for i, perm := range s.perms() {
		// The lineage of the pre tuples only orders hypotheses (those that
		// keep the pre of what they cut come first); it never prunes.
		preRoots := s.learner.Learn(s.kb, e.result, pres, perm, s.ref)
		for k, id := range pres {
			s.kb.AddOutcome(lineage.RenameTuple(e.result.Tuple(id), perm).Atom(), preRoots[k])
		}
		roots := s.learner.Learn(s.kb, e.result, ids, perm, s.ref)
		for k, o := range present {
			if s.kb.AddOutcome(s.renameOutcome(o, perm), roots[k]) && i == 0 {
				learned++
			}
		}
		img := Permute(sched, perm)
		violated := len(e.violations) > 0
		for _, o := range s.good {
			if _, ok := e.present[o]; ok || violated {
				continue
			}
			// The outcome is gone yet nothing is violated (its pre went
			// too): this schedule, and for monotone programs any superset,
			// cannot break the invariant through this outcome.
			ro := s.renameOutcome(o, perm)
			s.exclude[ro] = append(s.exclude[ro], img)
		}
	}
	return learned
}

// refill asks the solver for the next hypotheses.
func (s *ldfiSearch) refill() error {
	seen := map[string]int{}
	var hs []candidate
	for _, o := range s.good {
		if s.ctx.Err() != nil {
			return nil // the caller reports the time limit
		}
		sup := s.kb.Support([]string{o})
		excl := s.cuts(append(slices.Clone(s.exclude[o]), s.cexBlock...))
		t0 := time.Now()
		skip := func(f fault.Schedule) bool { return s.allTried(f) }
		found, err := s.solve(s.ctx, sup, cutParams(s.cfg.Params), excl, skip, refillLimit)
		s.res.Stats.SolverTime += time.Since(t0)
		s.res.Stats.SolverCalls++
		if err != nil {
			if s.ctx.Err() != nil {
				return nil // the caller reports the time limit
			}
			return internalError(fmt.Errorf("solving for %s: %w", o, err))
		}
		for _, h := range found {
			for _, f := range realize(s.cfg.Params, h) {
				key := f.String()
				if i, ok := seen[key]; ok {
					// Two cut hypotheses can share a realization (one
					// partition covers both).
					if !slices.Contains(hs[i].targets, o) {
						hs[i].targets = append(hs[i].targets, o)
					}
					continue
				}
				seen[key] = len(hs)
				hs = append(hs, candidate{sched: f, key: key, targets: []string{o}})
			}
		}
	}
	s.res.Stats.Hypotheses += len(hs)
	// Order: hypotheses that keep the pre tuple of some outcome they cut
	// (as far as the lineage learned so far tells) first, since a run that
	// loses both the pre and the post cannot violate; then smallest first;
	// then fewer crashes (a crash removes every later send, often the pre's
	// too); then later crashes first (a node that crashes later has done
	// more of its work, which keeps more pre tuples); then by text.
	for i := range hs {
		rm := s.removedBy(hs[i].sched)
		for _, o := range hs[i].targets {
			keeps, err := s.kb.OutcomeSurvives(s.preKey(o), rm)
			if err != nil {
				return internalError(fmt.Errorf("evaluating the support of %s: %w", s.preKey(o), err))
			}
			if keeps {
				hs[i].keeps = true
				break
			}
		}
	}
	slices.SortStableFunc(hs, func(a, b candidate) int {
		if a.keeps != b.keeps {
			if a.keeps {
				return -1
			}
			return 1
		}
		if d := a.sched.Size() - b.sched.Size(); d != 0 {
			return d
		}
		if d := len(a.sched.Crashes) - len(b.sched.Crashes); d != 0 {
			return d
		}
		if d := crashTimes(b.sched) - crashTimes(a.sched); d != 0 {
			return d
		}
		return strings.Compare(a.key, b.key)
	})
	s.queue = append(hs, s.extras()...)
	return nil
}

// extras are the late-arrival proposals not run yet (see lateCandidates),
// queued after the cut hypotheses of each round.
func (s *ldfiSearch) extras() []candidate {
	var out []candidate
	// A proposal run (or symmetric to a run) never becomes worth running
	// again: drop it for good, so that each round looks at fewer.
	s.late = slices.DeleteFunc(s.late, func(f fault.Schedule) bool { return s.tried[s.orbitKey(f)] })
	for _, f := range s.late {
		out = append(out, candidate{sched: f, key: f.String(), targets: s.good, extra: true})
	}
	return out
}

// cuts maps tried schedules to the cut schedules the hypothesis engine
// knows (cutOf); the identity without asynchrony faults.
func (s *ldfiSearch) cuts(xs []fault.Schedule) []fault.Schedule {
	if !s.cfg.Params.Async() {
		return xs
	}
	out := make([]fault.Schedule, len(xs))
	for i, x := range xs {
		out[i] = cutOf(s.cfg.Params, x)
	}
	return out
}

// allTried reports whether every realization of the cut hypothesis h has
// run (up to symmetry).
func (s *ldfiSearch) allTried(h fault.Schedule) bool {
	for _, f := range realize(s.cfg.Params, h) {
		if !s.tried[s.orbitKey(f)] {
			return false
		}
	}
	return true
}

// next pops the next hypothesis worth running, or reports none left in the
// queue. Hypotheses symmetric to a run schedule, or no longer cutting any
// target, are skipped (they are not executions).
func (s *ldfiSearch) next() (candidate, bool, error) {
	for len(s.queue) > 0 {
		h := s.queue[0]
		s.queue = s.queue[1:]
		if s.tried[s.orbitKey(h.sched)] {
			s.res.Stats.Symmetric++
			s.pf.discard(h.sched)
			continue
		}
		if h.extra {
			return h, true, nil
		}
		t, err := s.stillCuts(h)
		if err != nil {
			return candidate{}, false, err
		}
		if len(t) > 0 {
			h.targets = t
			return h, true, nil
		}
		s.res.Stats.Stale++
		s.pf.discard(h.sched)
	}
	return candidate{}, false, nil
}

// prefetch starts the runs of the next queued hypotheses that are still
// worth running under the current knowledge.
func (s *ldfiSearch) prefetch() error {
	if s.pf.n <= 1 {
		return nil
	}
	budget := s.pf.n*2 - s.pf.pending()
	for i, h := range s.queue {
		if budget <= 0 || i >= 4*s.pf.n {
			break
		}
		if s.tried[s.orbitKey(h.sched)] {
			continue
		}
		if t, err := s.stillCuts(h); err != nil || len(t) == 0 {
			if err != nil {
				return err
			}
			continue
		}
		s.pf.start(h.sched)
		budget--
	}
	return nil
}

// run is the LDFI loop.
func (s *ldfiSearch) run() error {
	// 1. The fault-free run.
	done, err := s.faultFree()
	if done || err != nil {
		return err
	}
	// 2.-5. Hypothesise, run, learn.
	for {
		if s.handOver() {
			s.handedOver = true
			return nil
		}
		if reason, hit := s.limit(); hit {
			s.res.Verdict, s.res.Reason = Inconclusive, reason
			return nil
		}
		h, ok, err := s.nextHypothesis()
		if err != nil || !ok {
			if err == nil && s.res.Verdict == Inconclusive {
				return nil // a limit stopped the refill
			}
			if err != nil {
				return err
			}
			break
		}
		done, err := s.try(h)
		if done || err != nil {
			return err
		}
	}
	if len(s.res.Counterexamples) > 0 {
		s.res.Verdict = Counterexample
	} else {
		s.res.Verdict = Certified
	}
	return nil
}

// faultFree runs the fault-free run: its good outcomes are what the loop
// tries to cut. done reports that the search ends with it (it was stopped,
// or violates the invariant and All is off).
func (s *ldfiSearch) faultFree() (done bool, err error) {
	free := fault.Schedule{}
	e, err := s.pf.get(free)
	if stopped(s.ctx, err) {
		s.res.Verdict, s.res.Reason = Inconclusive, stopReason(s.ctx)
		return true, nil
	}
	if err != nil {
		return true, err
	}
	s.record(candidate{sched: free}, e)
	s.freePre = e.hasPre()
	s.goodTuples = e.present
	// Absences in later runs are judged against the fault-free run.
	s.ref = lineage.NewReference(e.result)
	for o := range e.present {
		s.good = append(s.good, o)
	}
	slices.Sort(s.good)
	s.res.GoodOutcomes = e.good
	s.goodOutcomes = map[string]Outcome{}
	for _, o := range e.good {
		s.goodOutcomes[o.Post.Atom()] = o
	}
	s.tried[s.orbitKey(free)] = true
	if len(e.violations) > 0 {
		if err := s.found(free, e); err != nil || !s.cfg.All {
			return true, err
		}
	}
	res := e.result
	s.learn(free, e)
	var first []fault.Schedule
	if s.cfg.Params.MaxDelay > 0 {
		first, s.late = lateCandidates(s.cfg.Params, res, supportEvents(s.kb.Support(nil)))
		if e.target != nil {
			first, s.late = lateTargetCandidates(s.cfg.Params, e.target, supportEvents(s.kb.Support(nil)))
		}
	}
	for _, f := range first {
		s.queue = append(s.queue, candidate{sched: f, key: f.String(), targets: s.good, extra: true})
	}
	return false, nil
}

// nextHypothesis takes the next queued hypothesis, asking the solver for
// more when the queue is empty; ok is false when none is left (or a limit
// stopped the refill: then the verdict is set).
func (s *ldfiSearch) nextHypothesis() (candidate, bool, error) {
	h, ok, err := s.next()
	if err != nil || ok {
		return h, ok, err
	}
	if err := s.refill(); err != nil {
		return h, false, err
	}
	if reason, hit := s.limit(); hit {
		s.res.Verdict, s.res.Reason = Inconclusive, reason
		return h, false, nil
	}
	return s.next()
}

// try runs hypothesis h and learns from it; done reports that the search
// ends with it (a counterexample, unless All).
func (s *ldfiSearch) try(h candidate) (done bool, err error) {
	if err := s.prefetch(); err != nil {
		return true, err
	}
	e, err := s.pf.get(h.sched)
	if stopped(s.ctx, err) {
		return false, nil // the limit check reports it
	}
	if err != nil {
		return true, err
	}
	for _, perm := range s.perms() {
		s.tried[s.orbitKey(Permute(h.sched, perm))] = true
	}
	run := s.record(h, e)
	if len(e.violations) > 0 {
		if err := s.found(h.sched, e); err != nil || !s.cfg.All {
			return true, err
		}
		for _, perm := range s.perms() {
			s.cexBlock = append(s.cexBlock, Permute(h.sched, perm))
		}
	}
	run.Learned = s.learn(h.sched, e)
	if s.cfg.Progress != nil {
		s.cfg.Progress(Progress{Executions: s.res.Executions, Queued: len(s.queue), Counterexamples: len(s.res.Counterexamples), Elapsed: time.Since(s.start)})
	}
	return false, nil
}

// record appends a run to the result and returns it.
func (s *ldfiSearch) record(h candidate, e *execution) *Run {
	s.res.Executions++
	s.res.Runs = append(s.res.Runs, Run{
		Index:      s.res.Executions,
		Schedule:   h.sched.Canonical(),
		Violations: e.violations,
		Targets:    s.outcomes(h.targets),
	})
	return &s.res.Runs[len(s.res.Runs)-1]
}

// outcomes returns the good outcomes named by the atom text of their post.
func (s *ldfiSearch) outcomes(posts []string) []Outcome {
	var out []Outcome
	for _, o := range posts {
		out = append(out, s.goodOutcomes[o])
	}
	return out
}

// found replays a violating run and records the counterexample.
func (s *ldfiSearch) found(sched fault.Schedule, e *execution) error {
	if err := confirm(s.exec, sched, e.violations); err != nil {
		return err
	}
	s.res.Verdict = Counterexample
	s.res.Counterexamples = append(s.res.Counterexamples, CounterexampleRun{
		Run: s.res.Executions, Schedule: sched.Canonical(), Violations: e.violations,
	})
	return nil
}

// confirm replays sched and checks that it violates the invariant the same
// way: a counterexample is only reported once it has been seen twice.
func confirm(exec executor, sched fault.Schedule, want []Outcome) error {
	again, err := exec(sched, false)
	if err != nil {
		return err
	}
	return sameReplay(sched, want, again.violations)
}

// sameReplay checks that a replay of sched violated the invariant as the
// first run did (else ldfi's evaluator is not deterministic: a bug).
func sameReplay(sched fault.Schedule, first, again []Outcome) error {
	if got, want := preAtoms(again), preAtoms(first); !slices.Equal(got, want) {
		return fmt.Errorf("%w: replaying counterexample %s gave violations %v, first run gave %v", ErrInternal, sched, got, want)
	}
	return nil
}

// preKey is the text of the pre tuple matching good outcome o.
func (s *ldfiSearch) preKey(o string) string {
	t := s.goodTuples[o]
	t.Rel = s.preName
	return t.Atom()
}

func crashTimes(s fault.Schedule) int {
	n := 0
	for _, c := range s.Crashes {
		n += c.Time
	}
	return n
}

// renameOutcome is the text of good outcome o with its node names renamed
// by perm.
func (s *ldfiSearch) renameOutcome(o string, perm map[string]string) string {
	t, ok := s.goodTuples[o]
	if len(perm) == 0 || !ok {
		return o
	}
	return lineage.RenameTuple(t, perm).Atom()
}
