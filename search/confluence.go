package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/symbolic"
)

// The confluence check (ldfi check --invariant confluence). An outcome
// relation is confluent within the bounds when its contents at EOT are the
// same under every delivery schedule without loss: messages sent before
// EFF delayed by 0..MaxDelay and, with Duplicates, delivered a second time;
// no omission, crash or partition. A counterexample is two schedules whose
// outcomes differ: the fault-free one (the reference) and another, both
// replayed by the evaluator. A certificate comes from the exact check
// (symbolic.CheckConfluence) or from running every schedule, never from a
// heuristic search.

// Divergence is a confluence counterexample: the schedule whose outcome at
// EOT differs from the fault-free run's, and how.
type Divergence struct {
	// Run is the index of the run of Schedule (the fault-free run is 1).
	Run      int
	Schedule fault.Schedule
	// Missing are the outcome tuples at EOT of the fault-free run that
	// Schedule lacks; Extra those Schedule has and the fault-free run
	// lacks. Sorted by relation, then tuple order; one is non-empty.
	Missing []eval.Tuple
	Extra   []eval.Tuple
	// Outcome is Schedule's outcome at EOT, sorted as Reference.
	Outcome []eval.Tuple
}

// ConfluenceResult is the outcome of CheckConfluence.
type ConfluenceResult struct {
	// Verdict is Certified, Counterexample or Inconclusive.
	Verdict Verdict
	// Outcomes are the outcome relations checked, sorted.
	Outcomes []string
	// Reference is the outcome at EOT of the fault-free run, sorted by
	// relation, then tuple order.
	Reference []eval.Tuple
	// Executions counts the runs, the fault-free run first, up to the
	// verdict (replays that shrink a counterexample included).
	Executions     int
	Counterexample *Divergence
	// Reason says why an inconclusive check stopped.
	Reason string
	// CertificateMethod is MethodExact or MethodExhaustive for a
	// certificate; FoundBy is FoundByExact when the exact check found the
	// counterexample.
	CertificateMethod string
	FoundBy           string
	// Exact measures the exact check, when it ran (sizes only; its times
	// are in Stats); OutcomeTuples counts the outcome tuples at EOT that
	// some schedule may derive (by the exact check's universe).
	Exact         *symbolic.Stats
	OutcomeTuples int
	Notes         []string
	Stats         Stats
}

// ConfluenceParams returns p as the confluence check explores it: the
// same nodes, times, delays and duplicates, with an omission budget of
// zero. Bounds that allow a loss are an error, a *fault.ParamError naming
// the field: confluence is about order and duplication, and a lost message
// changes an outcome trivially.
func ConfluenceParams(p fault.Params) (fault.Params, error) {
	lossy := func(field, what string) error {
		return &fault.ParamError{Field: field, Msg: fmt.Sprintf("the confluence check admits no loss, got %s (it compares delivery schedules without loss: delays and duplicates only)", what)}
	}
	switch {
	case p.MaxCrashes > 0:
		return p, lossy("MaxCrashes", "a crash budget above 0")
	case p.MaxPartitions > 0:
		return p, lossy("MaxPartitions", "partitions")
	case p.OmissionsBounded && p.MaxOmissions > 0:
		return p, lossy("MaxOmissions", "an omission budget above 0")
	}
	p.OmissionsBounded, p.MaxOmissions = true, 0
	return p, nil
}

// CheckConfluence decides whether the outcome relations (by name) of prog
// have the same contents at EOT under every delivery schedule without
// loss within cfg's bounds (ConfluenceParams). cfg.Strategy chooses how
// schedules are found: LDFI (the default) runs the late and duplicate
// arrivals proposed from the fault-free run, and pairs of them, then lets
// the exact check decide; Exact asks only the exact check; Exhaustive runs
// every schedule; Random draws schedules. The result is deterministic
// (Parallel changes wall time only) unless the Timeout fires.
func CheckConfluence(ctx context.Context, prog *dedalus.Program, cfg Config, outcomes []string) (*ConfluenceResult, error) {
	p, err := ConfluenceParams(cfg.Params)
	if err != nil {
		return nil, err
	}
	cfg.Params = p
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if p.EOT > eval.MaxEOT {
		return nil, &fault.ParamError{Field: "EOT", Msg: fmt.Sprintf("EOT %d exceeds the maximum %d", p.EOT, eval.MaxEOT)}
	}
	rels, err := outcomeRels(prog, outcomes)
	if err != nil {
		return nil, err
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
	c := &confluenceRun{ctx: ctx, prog: prog, cfg: &cfg, eng: eng, rels: rels, start: time.Now(),
		res: &ConfluenceResult{Outcomes: rels}}
	err = c.run()
	if stopped(ctx, err) {
		c.res.Verdict, c.res.Reason, err = Inconclusive, stopReason(ctx), nil
	}
	if err != nil {
		return nil, err
	}
	c.res.Stats.Wall = time.Since(c.start)
	return c.res, nil
}

// outcomeRels checks and sorts the outcome relation names (default: post).
func outcomeRels(prog *dedalus.Program, outcomes []string) ([]string, error) {
	if len(outcomes) == 0 {
		if prog.Post == dedalus.NoRel {
			return nil, fmt.Errorf("the program has no post relation, the default outcome: name one (an outcome relation)")
		}
		outcomes = []string{prog.Relations[prog.Post].Name}
	}
	var out []string
	for _, o := range outcomes {
		if prog.Rel(o) == dedalus.NoRel {
			return nil, fmt.Errorf("no relation named %q in the program", o)
		}
		out = append(out, o)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// confluenceRun is one call of CheckConfluence.
type confluenceRun struct {
	ctx   context.Context
	prog  *dedalus.Program
	cfg   *Config
	eng   *eval.Engine
	rels  []string
	ref   snapshot
	free  *eval.Result // the fault-free run, with provenance
	res   *ConfluenceResult
	start time.Time
}

// snapshot is the outcome of one run: the outcome tuples at EOT, sorted,
// and their text as one key.
type snapshot struct {
	tuples []eval.Tuple
	key    string
}

// run is the check itself: the reference run, then the strategy.
func (c *confluenceRun) run() error {
	ref, free, err := c.outcome(fault.Schedule{}, true)
	if err != nil {
		return err
	}
	c.res.Executions = 1
	c.ref, c.free, c.res.Reference = ref, free, ref.tuples
	if len(ref.tuples) == 0 {
		c.res.Notes = append(c.res.Notes, fmt.Sprintf("the outcome is empty at EOT %d without faults: a schedule can only add to it", c.cfg.Params.EOT))
	}
	if fault.Count(c.cfg.Params).Cmp(bigInt(1)) == 0 {
		c.res.Verdict, c.res.CertificateMethod = Certified, MethodExhaustive
		c.res.Notes = append(c.res.Notes, "there is only one delivery schedule within these bounds (every message arrives one step after it is sent: raise --delay, and --eff so that messages are sent before it): the check is trivial")
		return nil
	}
	switch c.cfg.Strategy {
	case Exact:
		return c.exact()
	case Exhaustive:
		return c.exhaustive()
	case Random:
		return c.random()
	}
	return c.lateFirst()
}

// outcome runs s and reads the outcome relations at EOT.
func (c *confluenceRun) outcome(s fault.Schedule, provenance bool) (snapshot, *eval.Result, error) {
	r, err := c.eng.Run(c.ctx, c.cfg.Params, s, eval.Options{Provenance: provenance})
	switch {
	case errors.Is(err, eval.ErrOverflow):
		return snapshot{}, nil, fmt.Errorf("%w (running %s)", err, s)
	case err != nil && (errors.Is(err, eval.ErrTupleLimit) || c.ctx.Err() != nil):
		return snapshot{}, nil, fmt.Errorf("running %s: %w", s, err)
	case err != nil:
		return snapshot{}, nil, internalError(fmt.Errorf("running %s: %w", s, err))
	}
	var snap snapshot
	var b strings.Builder
	for _, rel := range c.rels {
		for _, id := range r.TuplesAt(rel, c.cfg.Params.EOT) {
			t := r.Tuple(id)
			snap.tuples = append(snap.tuples, t)
			b.WriteString(t.Atom())
			b.WriteByte('\n')
		}
	}
	snap.key = b.String()
	return snap, r, nil
}

// differences lists the tuples of ref missing from got, and those of got
// that ref lacks.
func differences(ref, got snapshot) (missing, extra []eval.Tuple) {
	in := func(s snapshot) map[string]bool {
		m := map[string]bool{}
		for _, t := range s.tuples {
			m[t.Atom()] = true
		}
		return m
	}
	inRef, inGot := in(ref), in(got)
	for _, t := range ref.tuples {
		if !inGot[t.Atom()] {
			missing = append(missing, t)
		}
	}
	for _, t := range got.tuples {
		if !inRef[t.Atom()] {
			extra = append(extra, t)
		}
	}
	return missing, extra
}
