package search

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
	"github.com/ldfi/ldfi/symbolic"
)

// The strategies of the confluence check (confluence.go) and what they
// share: running schedules in order, several at once, until one changes
// the outcome; shrinking and confirming that one.

// hit is a run whose outcome differs from the reference.
type hit struct {
	run   int
	sched fault.Schedule
	snap  snapshot
}

// peeker lets scan look one schedule ahead (to tell a sequence that ended
// exactly at the run budget from one that has more).
type peeker struct {
	next    func() (fault.Schedule, bool)
	pending *fault.Schedule
}

func (p *peeker) pull() (fault.Schedule, bool) {
	if s := p.pending; s != nil {
		p.pending = nil
		return *s, true
	}
	return p.next()
}

// more reports whether the sequence has another schedule, keeping it.
func (p *peeker) more() bool {
	if p.pending != nil {
		return true
	}
	s, ok := p.next()
	if ok {
		p.pending = &s
	}
	return ok
}

// scan runs the schedules of seq in order, up to Parallel at once, until
// one changes the outcome (a hit), the sequence ends (ended), or the
// executions reach budget (neither). Runs after a hit do not count: the
// result is that of running the sequence one by one.
func (c *confluenceRun) scan(seq *peeker, budget int) (*hit, bool, error) {
	width := max(1, c.cfg.Parallel) * 4
	for {
		if err := c.ctx.Err(); err != nil {
			return nil, false, err
		}
		n := min(width, budget-c.res.Executions)
		if n <= 0 {
			return nil, !seq.more(), nil
		}
		var batch []fault.Schedule
		for len(batch) < n {
			s, ok := seq.pull()
			if !ok {
				break
			}
			batch = append(batch, s)
		}
		if len(batch) == 0 {
			return nil, true, nil
		}
		snaps, errs := c.runAll(batch)
		for i, s := range batch {
			if errs[i] != nil {
				return nil, false, errs[i]
			}
			c.res.Executions++
			c.progress()
			if snaps[i].key != c.ref.key {
				return &hit{run: c.res.Executions, sched: s, snap: snaps[i]}, false, nil
			}
		}
	}
}

// runAll runs the batch on up to Parallel workers.
func (c *confluenceRun) runAll(batch []fault.Schedule) ([]snapshot, []error) {
	snaps, errs := make([]snapshot, len(batch)), make([]error, len(batch))
	sem := make(chan struct{}, max(1, c.cfg.Parallel))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, s := range batch {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			snaps[i], _, errs[i] = c.outcome(s, false)
			mu.Lock()
			c.res.Stats.EvalTime += time.Since(start)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return snaps, errs
}

func (c *confluenceRun) progress() {
	if c.cfg.Progress != nil {
		c.cfg.Progress(Progress{Executions: c.res.Executions, Elapsed: time.Since(c.start)})
	}
}

// finish turns a hit into the counterexample: shrunk by replay (unless
// the hit already has the fewest faults), confirmed, with its differences.
func (c *confluenceRun) finish(h *hit, shrink bool) error {
	if shrink {
		var err error
		if h, err = c.shrink(h); err != nil {
			return err
		}
	}
	if err := c.confirm(h); err != nil {
		return err
	}
	missing, extra := differences(c.ref, h.snap)
	c.res.Verdict = Counterexample
	c.res.Counterexample = &Divergence{Run: h.run, Schedule: h.sched.Canonical(), Missing: missing, Extra: extra, Outcome: h.snap.tuples}
	return nil
}

// shrink drops the faults of h's schedule one at a time while the outcome
// still differs from the reference (each replay is a run), so that every
// fault of the counterexample is needed.
func (c *confluenceRun) shrink(h *hit) (*hit, error) {
	cur := &hit{run: h.run, sched: h.sched.Canonical(), snap: h.snap}
	for i := 0; i < cur.sched.Size(); {
		cand := cur.sched.Without(i).Canonical()
		snap, _, err := c.outcome(cand, false)
		if err != nil {
			return nil, err
		}
		c.res.Executions++
		if snap.key != c.ref.key {
			cur = &hit{run: c.res.Executions, sched: cand, snap: snap}
			continue
		}
		i++
	}
	return cur, nil
}

// confirm replays the reference and the counterexample: each must give
// what it gave before, and they must differ (else the evaluator is not
// deterministic: a bug).
func (c *confluenceRun) confirm(h *hit) error {
	ref, _, err := c.outcome(fault.Schedule{}, false)
	if err != nil {
		return err
	}
	again, _, err := c.outcome(h.sched, false)
	if err != nil {
		return err
	}
	switch {
	case ref.key != c.ref.key:
		return fmt.Errorf("%w: replaying the fault-free run gave another outcome", ErrInternal)
	case again.key != h.snap.key:
		return fmt.Errorf("%w: replaying %s gave another outcome than its first run", ErrInternal, h.sched)
	case again.key == ref.key:
		return fmt.Errorf("%w: %s does not change the outcome when replayed", ErrInternal, h.sched)
	}
	return nil
}

// runLimit says that the run limit stopped the check.
func (c *confluenceRun) runLimit() {
	c.res.Verdict, c.res.Reason = Inconclusive, fmt.Sprintf("the run limit (%d) was reached", c.cfg.maxRuns())
}

// exhaustive runs every schedule, smallest first: the first that changes
// the outcome has the fewest faults.
func (c *confluenceRun) exhaustive() error {
	p, limit := c.cfg.Params, c.cfg.maxRuns()
	if n := fault.Count(p); n.Cmp(bigInt(limit)) > 0 {
		return fmt.Errorf("%w: %s schedules exceed the run limit (%d)", ErrSpaceTooLarge, n, limit)
	}
	next, stop := iterPull(fault.Enumerate(p))
	defer stop()
	next() // the empty schedule: the reference, already run
	h, ended, err := c.scan(&peeker{next: next}, limit)
	switch {
	case err != nil:
		return err
	case h != nil:
		return c.finish(h, false)
	case !ended:
		c.runLimit()
		return nil
	}
	c.res.Verdict, c.res.CertificateMethod = Certified, MethodExhaustive
	return nil
}

// random runs distinct random schedules (randomSchedules) until one
// changes the outcome or the run limit; drawing every schedule of a small
// space certifies, as the exhaustive strategy would.
func (c *confluenceRun) random() error {
	p, limit := c.cfg.Params, c.cfg.maxRuns()
	draw := randomSchedules(p, c.cfg.Seed)
	total := fault.Count(p)
	tried := map[string]bool{fault.Schedule{}.String(): true}
	draws, drawnOut := 0, false
	next := func() (fault.Schedule, bool) {
		for draws < 20*limit {
			if total.IsInt64() && int64(len(tried)) >= total.Int64() {
				drawnOut = true
				return fault.Schedule{}, false
			}
			s, _ := draw()
			draws++
			if k := s.String(); !tried[k] {
				tried[k] = true
				return s, true
			}
		}
		return fault.Schedule{}, false
	}
	h, ended, err := c.scan(&peeker{next: next}, limit)
	switch {
	case err != nil:
		return err
	case h != nil:
		return c.finish(h, true)
	case ended && drawnOut:
		c.res.Verdict, c.res.CertificateMethod = Certified, MethodExhaustive
		c.res.Notes = append(c.res.Notes, "the random draws covered every schedule within the bounds")
	case ended:
		c.res.Verdict, c.res.Reason = Inconclusive, fmt.Sprintf("the random draws kept repeating schedules already run (%d draws)", draws)
	default:
		c.runLimit()
	}
	return nil
}

// lateFirst is the default strategy: the late and duplicate arrivals
// proposed from the fault-free run (lateCandidates: each message late,
// each message twice), then pairs of them, up to the hand-over
// (Config.ExactAfter); then the exact check, started beside them, decides.
// When it cannot (a construct it cannot encode, a formula too large), the
// proposals go on to the run limit, and no divergence among them leaves
// the check inconclusive: they never certify.
func (c *confluenceRun) lateFirst() error {
	ahead := c.startExact()
	defer ahead.stop()
	seq := &peeker{next: c.lateProposals()}
	limit := c.cfg.maxRuns()
	budget := limit
	if n := c.cfg.exactAfter(); n > 0 {
		budget = min(n, limit)
	}
	h, ended, err := c.scan(seq, budget)
	switch {
	case err != nil:
		return err
	case h != nil:
		return c.finish(h, true)
	case !ended:
		c.res.Notes = append(c.res.Notes, fmt.Sprintf("the late and duplicate proposals handed over to the exact check after %d executions without a divergence", c.res.Executions))
	}
	undecided, err := c.useExact(ahead)
	if err != nil || undecided == "" {
		return err
	}
	if !ended {
		if h, ended, err = c.scan(seq, limit); err != nil {
			return err
		}
		if h != nil {
			return c.finish(h, true)
		}
	}
	c.res.Verdict = Inconclusive
	c.res.Reason = undecided + "; the late and duplicate proposals found no divergence"
	if !ended {
		c.res.Reason += fmt.Sprintf(" before the run limit (%d)", limit)
	}
	return nil
}

// lateProposals yields the single late and duplicate arrivals of the
// fault-free run (lateCandidates, the messages in the lineage of the
// outcome first), then the pairs of them that form a valid schedule.
func (c *confluenceRun) lateProposals() func() (fault.Schedule, bool) {
	p := c.cfg.Params
	used := map[lineage.Event]bool{}
	for _, rel := range c.rels {
		for _, id := range c.free.TuplesAt(rel, p.EOT) {
			for _, s := range c.free.Sends(id) {
				used[lineage.Event{From: s.From, To: s.To, Time: s.Time}] = true
			}
		}
	}
	first, rest := lateCandidates(p, c.free, used)
	singles := append(first, rest...)
	seen := map[string]bool{fault.Schedule{}.String(): true}
	i, j := -1, 0 // i < 0: the singles; then the pair (i, j), i < j
	return func() (fault.Schedule, bool) {
		for {
			var s fault.Schedule
			switch {
			case i < 0 && j < len(singles):
				s, j = singles[j].Canonical(), j+1
			case i < 0:
				i, j = 0, 1
				continue
			case j >= len(singles):
				return fault.Schedule{}, false
			default:
				a, b := singles[i], singles[j]
				s = fault.Schedule{Delays: append(append([]fault.Delay{}, a.Delays...), b.Delays...),
					Duplicates: append(append([]fault.Duplicate{}, a.Duplicates...), b.Duplicates...)}.Canonical()
				if i++; i == j {
					i, j = 0, j+1
				}
			}
			if k := s.String(); !seen[k] && p.ValidateSchedule(s) == nil {
				seen[k] = true
				return s, true
			}
		}
	}
}

// confluenceAhead is the exact check running beside the proposals; only
// its answer is used, once they have ended, so the result does not depend
// on which finishes first.
type confluenceAhead struct {
	cancel context.CancelFunc
	done   chan struct{}
	r      *symbolic.ConfluenceResult
	err    error
}

func (c *confluenceRun) startExact() *confluenceAhead {
	ctx, cancel := context.WithCancel(c.ctx)
	a := &confluenceAhead{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.r, a.err = c.runExact(ctx)
	}()
	return a
}

func (a *confluenceAhead) wait() (*symbolic.ConfluenceResult, error) {
	<-a.done
	return a.r, a.err
}

func (a *confluenceAhead) stop() {
	if a != nil {
		a.cancel()
		<-a.done
	}
}

// exact is --strategy exact: the exact check alone.
func (c *confluenceRun) exact() error {
	undecided, err := c.useExact(nil)
	if err == nil && undecided != "" {
		c.res.Verdict, c.res.Reason = Inconclusive, undecided
	}
	return err
}

// useExact takes the exact check's answer (waiting for ahead, or asking
// now): a certificate, or a counterexample replayed and confirmed. When
// the check cannot decide, it returns why (undecided) and sets nothing.
func (c *confluenceRun) useExact(ahead *confluenceAhead) (undecided string, err error) {
	var r *symbolic.ConfluenceResult
	if ahead != nil {
		r, err = ahead.wait()
	} else {
		r, err = c.runExact(c.ctx)
	}
	switch {
	case err == nil:
	case c.ctx.Err() != nil:
		c.res.Verdict, c.res.Reason = Inconclusive, stopReason(c.ctx)+" during the exact check"
		return "", nil
	case errors.Is(err, symbolic.ErrUnsupported), errors.Is(err, symbolic.ErrTooLarge):
		return "the exact check could not decide: " + err.Error(), nil
	default:
		return "", err
	}
	st := r.Stats
	c.res.Stats.ExactBuild, c.res.Stats.ExactSolve = st.BuildTime, st.SolveTime
	st.BuildTime, st.SolveTime = 0, 0
	c.res.Exact, c.res.OutcomeTuples = &st, r.OutcomeTuples
	if !r.Differs {
		c.res.Verdict, c.res.CertificateMethod = Certified, MethodExact
		return "", nil
	}
	snap, _, err := c.outcome(r.Schedule, false)
	if err != nil {
		return "", err
	}
	c.res.Executions++
	if snap.key == c.ref.key {
		return "", fmt.Errorf("%w: the exact check's schedule %s does not change the outcome when run", ErrInternal, r.Schedule)
	}
	c.res.FoundBy = FoundByExact
	if ahead != nil {
		c.res.Notes = append(c.res.Notes, "found by the exact check after the late and duplicate proposals found none")
	}
	return "", c.finish(&hit{run: c.res.Executions, sched: r.Schedule, snap: snap}, true)
}

// runExact asks symbolic.CheckConfluence, with the reference outcome.
func (c *confluenceRun) runExact(ctx context.Context) (*symbolic.ConfluenceResult, error) {
	var rels []dedalus.RelID
	for _, name := range c.rels {
		rels = append(rels, c.prog.Rel(name))
	}
	var ref []symbolic.Fact
	for _, t := range c.ref.tuples {
		ref = append(ref, symbolic.Fact{Rel: c.prog.Rel(t.Rel), Args: t.Args})
	}
	return symbolic.CheckConfluence(ctx, c.prog, c.cfg.Params, rels, ref, symbolic.Options{MaxInstances: c.cfg.MaxInstances})
}
