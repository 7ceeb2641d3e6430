package search

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/hypothesis"
	"github.com/ldfi/ldfi/lineage"
)

// ErrSpaceTooLarge is returned when the exhaustive strategy is asked to
// search a space larger than its run limit.
var ErrSpaceTooLarge = errors.New("fault space too large for exhaustive search")

// Check searches the fault space of prog within cfg's bounds and returns the
// verdict. The result is deterministic for a given program and Config
// (Parallel and Progress aside, which change nothing in it), unless the
// Timeout fires.
func Check(ctx context.Context, prog *dedalus.Program, cfg Config) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if prog.Pre == dedalus.NoRel || prog.Post == dedalus.NoRel {
		return nil, fmt.Errorf("the program has no pre/post invariant to check")
	}
	if cfg.Params.EOT > eval.MaxEOT {
		return nil, &fault.ParamError{Field: "EOT", Msg: fmt.Sprintf("EOT %d exceeds the maximum %d", cfg.Params.EOT, eval.MaxEOT)}
	}
	eng, err := eval.New(prog)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	c := &checkRun{ctx: ctx, prog: prog, cfg: &cfg, res: &Result{}, start: time.Now(),
		exec: newEvalExecutor(ctx, eng, cfg.Params)}
	c.symmetry()
	switch cfg.Strategy {
	case LDFI:
		err = c.ldfi()
	case Exact:
		err = exactStrategy(ctx, prog, &cfg, c.exec, c.res)
	case Random, Exhaustive:
		err = c.baseline()
	}
	if stopped(ctx, err) {
		// A run or solver call that ctx stopped where no loop reported
		// the limit itself (e.g. while replaying a counterexample).
		c.res.Verdict, c.res.Reason = Inconclusive, stopReason(ctx)
		if len(c.res.Counterexamples) > 0 {
			c.res.Verdict = Counterexample
		}
		err = nil
	}
	if err != nil {
		return nil, err
	}
	c.res.Stats.Wall = time.Since(c.start)
	return c.res, nil
}

// checkRun is one call of Check: what every strategy shares.
type checkRun struct {
	ctx   context.Context
	prog  *dedalus.Program
	cfg   *Config
	res   *Result
	start time.Time
	exec  executor
	sym   *Symmetry
}

// symmetry finds the interchangeable nodes, when asked to.
func (c *checkRun) symmetry() {
	c.sym = NoSymmetry
	if !c.cfg.Symmetry {
		return
	}
	sym := FindSymmetry(c.prog, c.cfg.Params)
	c.res.SymmetryClasses = sym.Classes
	if len(sym.Classes) > 0 && !sym.Active() {
		c.res.Notes = append(c.res.Notes, "symmetry reduction is off: the group of interchangeable nodes is too large")
		return
	}
	c.sym = sym
}

// limit reports whether the run or time limit is reached, and why.
func (c *checkRun) limit() (string, bool) {
	if c.res.Executions >= c.cfg.maxRuns() {
		return fmt.Sprintf("the run limit (%d) was reached", c.cfg.maxRuns()), true
	}
	if c.ctx.Err() != nil {
		return stopReason(c.ctx), true
	}
	return "", false
}

// ldfi runs the LDFI loop, with the exact check beside it when the
// certificate will need confirming.
func (c *checkRun) ldfi() error {
	cfg, res := c.cfg, c.res
	s := &ldfiSearch{
		cfg: cfg, exec: c.exec, sym: c.sym, kb: lineage.NewBuilder(),
		learner: lineage.NewLearner(c.prog, cfg.Params, cfg.NegativeSupport),
		pf:      newPrefetcher(c.exec, true, cfg.Parallel),
		exclude: map[string][]fault.Schedule{}, tried: map[string]bool{},
		res: res, start: c.start, ctx: c.ctx, preName: c.prog.Relations[c.prog.Pre].Name, limit: c.limit,
		solve: defaultSolve,
	}
	var ahead *exactAhead
	if needsConfirmation(c.prog, cfg) {
		ahead = startExact(c.ctx, c.prog, cfg)
		defer ahead.stop()
		s.ahead = ahead
	}
	if err := s.run(); err != nil {
		return err
	}
	if err := confirmCertificate(c.ctx, c.prog, cfg, c.exec, res, s.handedOver, ahead); err != nil {
		return err
	}
	// A lineage certificate is for a program monotone in the faults: no
	// pre tuple without faults means none in any schedule.
	if res.CertificateMethod == MethodLineage && len(res.Runs) > 0 && !s.freePre {
		vacuous(c.prog, cfg.Params, res)
	}
	res.Stats.GraphNodes = s.kb.Len()
	res.Stats.Speculative = s.pf.wasted
	res.Stats.EvalTime = s.pf.evalDur
	return nil
}

// baseline runs the random or the exhaustive strategy.
func (c *checkRun) baseline() error {
	return c.runBaseline(func(res *Result) { vacuous(c.prog, c.cfg.Params, res) })
}

// runBaseline runs the random or the exhaustive strategy; vacuous turns a
// certificate no run of which had a pre tuple into the vacuous verdict
// (for a program or a target, each its own way).
func (c *checkRun) runBaseline(vacuous func(*Result)) error {
	cfg, res := c.cfg, c.res
	b := &baselineSearch{cfg: cfg, exec: c.exec, sym: c.sym, res: res, start: c.start, limit: c.limit,
		pf: newPrefetcher(c.exec, false, cfg.Parallel)}
	if cfg.Strategy == Random {
		b.nextSched = randomSchedules(cfg.Params, cfg.Seed)
	} else {
		if n := fault.Count(cfg.Params); n.Cmp(bigInt(cfg.maxRuns())) > 0 {
			return fmt.Errorf("%w: %s schedules exceed the run limit (%d)", ErrSpaceTooLarge, n, cfg.maxRuns())
		}
		next, stop := iterPull(fault.Enumerate(cfg.Params))
		defer stop()
		b.nextSched = next
		b.exhausts = true
	}
	if err := b.run(); err != nil {
		return err
	}
	if res.Verdict == Certified {
		res.CertificateMethod = MethodExhaustive
		if !b.sawPre {
			vacuous(res)
		}
	}
	res.Stats.Speculative = b.pf.wasted
	res.Stats.EvalTime = b.pf.evalDur
	return nil
}

// stopReason says why ctx ended: its time limit, or a cancellation (by its
// cause when one was given, e.g. "interrupted").
func stopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "the time limit was reached"
	}
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
		return cause.Error()
	}
	return "the search was cancelled"
}

// newEvalExecutor runs schedules on eng and reports what the search needs.
// A run that ctx stops returns an error wrapping ctx.Err() (see stopped).
func newEvalExecutor(ctx context.Context, eng *eval.Engine, p fault.Params) executor {
	return func(s fault.Schedule, provenance bool) (*execution, error) {
		r, err := eng.Run(ctx, p, s, eval.Options{Provenance: provenance})
		if errors.Is(err, eval.ErrOverflow) {
			return nil, fmt.Errorf("%w (running %s)", err, s) // the program's arithmetic: bad input
		}
		if err != nil {
			err = fmt.Errorf("running %s: %w", s, err)
			if errors.Is(err, eval.ErrTupleLimit) {
				return nil, err // the program derives too much within the bounds
			}
			return nil, internalError(err)
		}
		posts, pres := goodOutcomeIDs(r)
		keyed := goodOutcomes(r, posts, pres)
		e := &execution{present: make(map[string]eval.Tuple, len(keyed)), preIDs: pres,
			violations: Violations(r), good: make([]Outcome, len(keyed))}
		ids := make(map[string]eval.TupleID, len(keyed))
		for i, k := range keyed {
			e.good[i] = k.Outcome
			e.present[k.key] = k.Post
			ids[k.key] = k.post
		}
		if provenance {
			e.result, e.ids = r, ids
		}
		return e, nil
	}
}

func defaultSolve(ctx context.Context, sup *lineage.Support, p fault.Params, excl []fault.Schedule, skip func(fault.Schedule) bool, limit int) ([]fault.Schedule, error) {
	hs, _, err := hypothesis.Minimal(ctx, sup, p, hypothesis.Options{Exclude: excl, Skip: skip, Limit: limit, PartialLevel: true})
	return hs, err
}
