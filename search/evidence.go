package search

import (
	"context"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// Draw says which runs of a result a report draws: the first Runs runs in
// search order and the first Counterexamples counterexamples (all of them
// when negative).
type Draw struct {
	Runs            int
	Counterexamples int
}

// Evidence is what a report draws of a search, as typed values: the
// fault-free run with provenance (the lineage of the good outcomes), the
// good outcomes, and the drawn runs, re-run. Runs are deterministic, so a
// re-run is the run the search made.
type Evidence struct {
	// Free is the fault-free run, with provenance.
	Free *eval.Result
	// Good are the good outcomes of the fault-free run: the result's, or,
	// for the strategies that do not compute them, GoodOutcomes(Free).
	Good  []Outcome
	drawn map[int]drawnRun
}

type drawnRun struct {
	run *eval.Result
	err error
}

// Params are the bounds of the runs.
func (ev *Evidence) Params() fault.Params { return ev.Free.Params() }

// Drawn returns the re-run of the run with the given index, whether it is
// drawn (see Draw), and the error of a failed re-run.
func (ev *Evidence) Drawn(index int) (*eval.Result, bool, error) {
	d, ok := ev.drawn[index]
	return d.run, ok, d.err
}

// NewEvidence re-runs the fault-free run of prog under p with provenance and
// the runs of res that draw selects. A failed re-run of a drawn run is
// recorded (see Drawn); only a failure of the fault-free run is an error.
// Counterexamples are re-run under their own schedule.
func NewEvidence(ctx context.Context, prog *dedalus.Program, p fault.Params, res *Result, draw Draw) (*Evidence, error) {
	eng, err := eval.New(prog)
	if err != nil {
		return nil, err
	}
	free, err := eng.Run(ctx, p, fault.Schedule{}, eval.Options{Provenance: true})
	if err != nil {
		return nil, err
	}
	ev := &Evidence{Free: free, Good: res.GoodOutcomes, drawn: map[int]drawnRun{}}
	if len(ev.Good) == 0 {
		ev.Good = GoodOutcomes(free)
	}
	add := func(index int, s fault.Schedule) {
		if _, ok := ev.drawn[index]; ok {
			return
		}
		r, err := eng.Run(ctx, p, s, eval.Options{})
		ev.drawn[index] = drawnRun{r, err}
	}
	for i, c := range res.Counterexamples {
		if draw.Counterexamples >= 0 && i >= draw.Counterexamples {
			break
		}
		add(c.Run, c.Schedule)
	}
	for i := range min(draw.Runs, len(res.Runs)) {
		add(res.Runs[i].Index, res.Runs[i].Schedule)
	}
	return ev, nil
}

// RunEvidence describes run (ldfi run), a run of prog, as a one-run result
// (its Verdict empty: the verdict is the run's, Run.Verdict) with the
// evidence to draw it: the fault-free run under the same bounds and its good
// outcomes, and the run itself.
func RunEvidence(ctx context.Context, prog *dedalus.Program, run *eval.Result) (*Result, *Evidence, error) {
	eng, err := eval.New(prog)
	if err != nil {
		return nil, nil, err
	}
	free, err := eng.Run(ctx, run.Params(), fault.Schedule{}, eval.Options{Provenance: true})
	if err != nil {
		return nil, nil, err
	}
	r := Run{Index: 1, Schedule: run.Schedule().Canonical(), Violations: Violations(run)}
	res := &Result{Executions: 1, Runs: []Run{r}, GoodOutcomes: GoodOutcomes(free)}
	if r.Violated() {
		res.Counterexamples = []CounterexampleRun{{Run: 1, Schedule: r.Schedule, Violations: r.Violations}}
	}
	ev := &Evidence{Free: free, Good: res.GoodOutcomes, drawn: map[int]drawnRun{1: {run: run}}}
	return res, ev, nil
}
