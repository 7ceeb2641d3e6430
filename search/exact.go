package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/symbolic"
)

// Ways a certificate was obtained (Result.CertificateMethod).
const (
	// MethodExact: the exact check (symbolic) found no schedule within the
	// bounds that breaks the invariant.
	MethodExact = "exact"
	// MethodLineage: the LDFI loop ran out of hypotheses on a program
	// monotone in the faults, where that is a proof.
	MethodLineage = "lineage"
	// MethodExhaustive: every schedule was run.
	MethodExhaustive = "exhaustive"
)

// Who found a counterexample (Result.FoundBy).
const (
	FoundByExact = "exact"
)

// exactSearch runs the symbolic stage and turns its answer into the
// result: a certificate, or a model replayed, shrunk by replay and
// confirmed like any counterexample.
type exactSearch struct {
	ctx  context.Context
	prog *dedalus.Program
	cfg  *Config
	exec executor
	res  *Result
	// ahead, when set, is the same check already running in the
	// background (started beside the LDFI loop).
	ahead *exactAhead
}

// exactAhead is an exact check running in the background while the LDFI
// loop runs, so that confirming a certificate costs the longer of the two
// rather than their sum. Only its answer is used, and only once the loop
// has ended, so the result does not depend on which finishes first.
type exactAhead struct {
	cancel context.CancelFunc
	done   chan struct{}
	r      *symbolic.Result
	err    error
}

func startExact(ctx context.Context, prog *dedalus.Program, cfg *Config) *exactAhead {
	ctx, cancel := context.WithCancel(ctx)
	a := &exactAhead{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.r, a.err = runExact(ctx, prog, cfg)
	}()
	return a
}

// runExact asks the symbolic stage under cfg's bounds and limits.
func runExact(ctx context.Context, prog *dedalus.Program, cfg *Config) (*symbolic.Result, error) {
	return symbolic.Check(ctx, prog, cfg.Params, symbolic.Options{MaxInstances: cfg.MaxInstances})
}

// wait returns the check's answer.
func (a *exactAhead) wait() (*symbolic.Result, error) {
	<-a.done
	return a.r, a.err
}

// stop abandons the check (the loop found a counterexample, or stopped).
func (a *exactAhead) stop() {
	if a != nil {
		a.cancel()
		<-a.done
	}
}

// check runs the exact check. It sets the verdict, or leaves it
// inconclusive with a reason when the check cannot decide (a construct it
// cannot encode, a formula over the size limit, the time limit).
func (x *exactSearch) check() error {
	var r *symbolic.Result
	var err error
	if x.ahead != nil {
		r, err = x.ahead.wait()
	} else {
		r, err = runExact(x.ctx, x.prog, x.cfg)
	}
	switch {
	case err == nil:
	case x.ctx.Err() != nil:
		x.res.Verdict, x.res.Reason = Inconclusive, stopReason(x.ctx)+" during the exact check"
		return nil
	case errors.Is(err, symbolic.ErrUnsupported), errors.Is(err, symbolic.ErrTooLarge):
		x.res.Verdict, x.res.Reason = Inconclusive, "the exact check could not decide: "+err.Error()
		return nil
	default:
		return err
	}
	// The formula's sizes are deterministic and part of the result; its
	// times go to Stats with the other measurements.
	st := r.Stats
	x.res.Stats.ExactBuild, x.res.Stats.ExactSolve = st.BuildTime, st.SolveTime
	st.BuildTime, st.SolveTime = 0, 0
	x.res.Exact = &st
	if !r.Violated {
		x.res.Verdict, x.res.CertificateMethod = Certified, MethodExact
		if r.Vacuous {
			vacuous(x.prog, x.cfg.Params, x.res)
		}
		return nil
	}
	sched, e, confirmed, err := x.shrink(r.Schedule)
	if err != nil {
		return err
	}
	if !confirmed {
		if err := confirm(x.exec, sched, e.violations); err != nil {
			return err
		}
	}
	x.res.Verdict, x.res.FoundBy = Counterexample, FoundByExact
	x.res.Counterexamples = append(x.res.Counterexamples, CounterexampleRun{
		Run: x.res.Executions, Schedule: sched, Violations: e.violations,
	})
	return nil
}

// run executes one schedule and records it as a run.
func (x *exactSearch) run(s fault.Schedule) (*execution, error) {
	e, err := x.exec(s, false)
	if err != nil {
		return nil, err
	}
	x.res.Executions++
	x.res.Runs = append(x.res.Runs, Run{Index: x.res.Executions, Schedule: s.Canonical(), Violations: e.violations})
	return e, nil
}

// shrink replays the solver's model (it must violate the invariant: the
// encoding and the evaluator agree, or ldfi has a bug) and drops faults one
// at a time while the run still violates, ending with the last violating
// run recorded. The model already has the fewest faults the formula
// allows; the replays make it subset-minimal for the evaluator itself.
func (x *exactSearch) shrink(model fault.Schedule) (sched fault.Schedule, e *execution, confirmed bool, err error) {
	cur := model.Canonical()
	e, err = x.run(cur)
	if err != nil {
		return cur, nil, false, err
	}
	if len(e.violations) == 0 {
		return cur, nil, false, fmt.Errorf("%w: the exact check's schedule %s does not violate the invariant when run", ErrInternal, cur)
	}
	for i := 0; i < cur.Size(); {
		cand := cur.Without(i)
		ce, err := x.run(cand)
		if err != nil {
			return cur, nil, false, err
		}
		if len(ce.violations) > 0 {
			cur, e = cand, ce
			continue
		}
		i++
	}
	if last := x.res.Runs[len(x.res.Runs)-1]; !last.Violated() {
		// End on the counterexample itself: this run is its second
		// sighting, so it also stands for the confirmation.
		again, err := x.run(cur)
		if err != nil {
			return cur, nil, false, err
		}
		if err := sameReplay(cur, e.violations, again.violations); err != nil {
			return cur, nil, false, err
		}
		return cur, again, true, nil
	}
	return cur, e, false, nil
}

// exactStrategy is --strategy exact: the fault-free run (its good outcomes
// are what the report shows, and a program that fails without faults
// needs no solver), then the exact check.
func exactStrategy(ctx context.Context, prog *dedalus.Program, cfg *Config, exec executor, res *Result) error {
	x := &exactSearch{ctx: ctx, prog: prog, cfg: cfg, exec: exec, res: res}
	e, err := x.run(fault.Schedule{})
	if err != nil {
		return err
	}
	res.GoodOutcomes = e.good
	if len(e.violations) > 0 {
		if err := confirm(exec, fault.Schedule{}, e.violations); err != nil {
			return err
		}
		res.Verdict = Counterexample
		res.Counterexamples = append(res.Counterexamples, CounterexampleRun{Run: 1, Violations: e.violations})
		return nil
	}
	return x.check()
}

// confirmCertificate runs the exact check after the LDFI loop certified a
// program that is not monotone in the faults (or when asked to): a
// counterexample found there replaces the certificate. When the loop
// handed over (Config.ExactAfter), the exact check gives the verdict.
func confirmCertificate(ctx context.Context, prog *dedalus.Program, cfg *Config, exec executor, res *Result, handedOver bool, ahead *exactAhead) error {
	x := &exactSearch{ctx: ctx, prog: prog, cfg: cfg, exec: exec, res: res, ahead: ahead}
	if handedOver {
		res.Notes = append(res.Notes, fmt.Sprintf("the lineage-driven search handed over to the exact check after %d executions without a counterexample", res.Executions))
		return x.check()
	}
	if res.Verdict != Certified {
		return nil
	}
	if !needsConfirmation(prog, cfg) {
		res.CertificateMethod = MethodLineage
		return nil
	}
	if err := x.check(); err != nil {
		return err
	}
	if res.Verdict == Counterexample {
		res.Notes = append(res.Notes, "found by the exact check after the lineage-driven search ran out of hypotheses")
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// needsConfirmation reports whether an LDFI certificate of prog must be
// confirmed by the exact check: always for a program not monotone in the
// faults, and on request (Config.Confirm).
func needsConfirmation(prog *dedalus.Program, cfg *Config) bool {
	return cfg.Confirm || !symbolic.Monotone(prog) || cfg.Params.Async()
}

// vacuous turns a certificate into the Vacuous verdict (no schedule has a
// pre tuple at EOT) and says what usually causes it.
func vacuous(prog *dedalus.Program, p fault.Params, res *Result) {
	res.Verdict = Vacuous
	res.Reason = fmt.Sprintf("no pre tuple holds at EOT %d in any schedule within the bounds: the invariant constrains nothing, so nothing was checked", p.EOT)
	outside := map[string]bool{}
	for _, f := range prog.Facts {
		if len(f.Args) > 0 && f.Args[0].Type == dedalus.TypeString && !p.HasNode(f.Args[0].Str) && f.Time <= p.EOT {
			outside[f.Args[0].Str] = true
		}
	}
	if len(outside) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("facts are located at %s, outside the node set %s: such nodes never act (is the node set right?)",
			strings.Join(sortedKeys(outside), ", "), strings.Join(p.Nodes, ",")))
	}
	for _, w := range prog.Warnings {
		res.Notes = append(res.Notes, "the program: "+w.Error())
	}
	res.Notes = append(res.Notes, "if the pre rules need more time to derive their tuples, raise EOT")
}
