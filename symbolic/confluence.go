package symbolic

import (
	"context"
	"fmt"
	"time"

	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// The confluence question (ldfi check --invariant confluence): does some
// schedule within the bounds change an outcome relation at EOT? Over the
// same circuit as Check, it asks for a tuple of an outcome relation at EOT
// whose literal differs from its membership in the reference contents
// (the outcome of the fault-free run, which the caller computes with the
// evaluator): OR over the outcome tuples of the universe of lit XOR
// inReference. A reference tuple the universe lacks would be a tuple no
// schedule derives, so it differs in every schedule; the caller's replay
// then exposes the disagreement between encoding and evaluator.

// Fact is a ground tuple of a relation (its time is implied: EOT).
type Fact struct {
	Rel  dedalus.RelID
	Args []dedalus.Value
}

// ConfluenceResult is the answer of CheckConfluence.
type ConfluenceResult struct {
	// Differs reports that some schedule within the bounds changes an
	// outcome at EOT; Schedule is one with the fewest faults. When false,
	// none does: an exact certificate of confluence within the bounds.
	Differs  bool
	Schedule fault.Schedule
	// OutcomeTuples counts the outcome tuples at EOT whose formula is not
	// constant false: those some schedule may derive.
	OutcomeTuples int
	Stats         Stats
}

// CheckConfluence decides whether a schedule within p's bounds makes the
// contents at EOT of one of the outcome relations differ from reference.
// Normally p admits no loss (no crashes, no partitions, an omission budget
// of zero) and reference is the outcome of the fault-free run, so that the
// question is confluence: the same outcome under every delivery schedule.
// Errors wrap ErrUnsupported, ErrTooLarge or the context's error.
func CheckConfluence(ctx context.Context, prog *dedalus.Program, p fault.Params, outcomes []dedalus.RelID, reference []Fact, opts Options) (*ConfluenceResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	for _, r := range outcomes {
		if r < 0 || int(r) >= len(prog.Relations) {
			return nil, fmt.Errorf("outcome relation %d is not in the program", r)
		}
	}
	start := time.Now()
	e := newEncoder(ctx, prog, p, opts.MaxInstances)
	if err := e.build(); err != nil {
		return nil, err
	}
	differs, n := e.divergence(outcomes, reference)
	res := &ConfluenceResult{OutcomeTuples: n}
	s := e.solverFor(differs, &res.Stats, start)

	solveStart := time.Now()
	defer func() { res.Stats.SolveTime = time.Since(solveStart) }()
	sat, err := s.solve(differs)
	res.Stats.SolverCalls++
	if err != nil || !sat {
		return res, err
	}
	best, err := e.fewestFaults(s, differs, &res.Stats.SolverCalls)
	if err != nil {
		return nil, err
	}
	res.Differs, res.Schedule = true, best.Canonical()
	return res, nil
}

// divergence is the literal "some outcome tuple at EOT differs from the
// reference", and the number of outcome tuples at EOT that some schedule
// may derive.
func (e *encoder) divergence(outcomes []dedalus.RelID, reference []Fact) (z.Lit, int) {
	inRef := map[string]bool{}
	var diffs []z.Lit
	for _, f := range reference {
		id, ok := e.u.find(f.Rel, e.p.EOT, f.Args)
		if !ok {
			diffs = append(diffs, e.c.T) // no schedule derives it: always missing
			continue
		}
		inRef[string(e.u.key(f.Rel, e.p.EOT, f.Args))] = true
		diffs = append(diffs, e.u.tuples[id].lit.Not())
	}
	n := 0
	seen := map[dedalus.RelID]bool{}
	for _, r := range outcomes {
		if seen[r] {
			continue
		}
		seen[r] = true
		for _, id := range e.u.lookup(r, e.p.EOT, 0, nil) {
			tp := &e.u.tuples[id]
			if tp.lit == e.c.F {
				continue
			}
			n++
			if !inRef[string(e.u.key(r, e.p.EOT, tp.args))] {
				diffs = append(diffs, tp.lit) // derived, not in the reference
			}
		}
	}
	return e.c.Ors(diffs...), n
}
