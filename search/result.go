package search

import (
	"time"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/symbolic"
)

// Verdict is the outcome of a search.
type Verdict string

const (
	// Certified: no schedule within the bounds violates the invariant.
	Certified Verdict = "certified"
	// Counterexample: a replayed run violates the invariant.
	Counterexample Verdict = "counterexample"
	// Inconclusive: a limit was reached before either.
	Inconclusive Verdict = "inconclusive"
	// Vacuous: no schedule breaks the invariant because no schedule within
	// the bounds has a pre tuple at EOT: nothing was checked (a node set
	// that misses the program's nodes, an EOT too small, a pre rule that
	// reads a relation nothing derives).
	Vacuous Verdict = "vacuous"
	// NoCounterexample: the lineage-guided search on a Go target (Target)
	// ran out of hypotheses without a counterexample. It is not a
	// certificate: no exact encoding backs it (CertificateMethod says
	// "lineage-guided").
	NoCounterexample Verdict = "no-counterexample"
)

// RunVerdict is the invariant's verdict on one run.
type RunVerdict string

const (
	// RunOK: every pre tuple at EOT has its post tuple.
	RunOK RunVerdict = "ok"
	// RunViolation: some pre tuple at EOT lacks its post tuple.
	RunViolation RunVerdict = "violation"
)

// Outcome is what the invariant asks of one pre tuple at EOT: the post
// tuple with the same arguments. A violation is an outcome whose post is
// missing; a good outcome is one whose post holds (see GoodOutcomes).
type Outcome struct {
	Pre eval.Tuple
	// Post is the post tuple the pre tuple needs (Rel is empty when the
	// program defines no post relation).
	Post eval.Tuple
}

// Run is one execution of the search, in the deterministic search order.
type Run struct {
	// Index is the 1-based execution number (the fault-free run is 1).
	Index    int
	Schedule fault.Schedule
	// Violations are the outcomes whose post is missing at EOT, sorted by
	// the text of their pre tuple.
	Violations []Outcome
	// Targets are the good outcomes the schedule was hypothesised to cut
	// (empty for the fault-free run and for the baselines).
	Targets []Outcome
	// Learned counts the good outcomes for which this run taught the search
	// a new derivation (the protocol found another way).
	Learned int
}

// Violated reports whether the run violates the invariant.
func (r *Run) Violated() bool { return len(r.Violations) > 0 }

// Verdict is the invariant's verdict on the run.
func (r *Run) Verdict() RunVerdict {
	if r.Violated() {
		return RunViolation
	}
	return RunOK
}

// CounterexampleRun is a violating run that was replayed and confirmed.
type CounterexampleRun struct {
	Run        int // Index of the run
	Schedule   fault.Schedule
	Violations []Outcome
}

// Stats are measurements of a search; they vary with the machine and are
// kept out of deterministic outputs.
type Stats struct {
	Hypotheses  int           // hypotheses produced by the solver
	Stale       int           // hypotheses skipped: no longer a cut when their turn came
	Symmetric   int           // schedules skipped as symmetric to one already run
	SolverCalls int           // calls into the hypothesis solver
	SolverTime  time.Duration // time spent building and solving
	EvalTime    time.Duration // time spent in runs (summed over workers)
	Wall        time.Duration
	GraphNodes  int           // size of the accumulated support graph
	Speculative int           // runs started ahead of their turn and discarded
	ExactBuild  time.Duration // the exact check: grounding and circuit
	ExactSolve  time.Duration // the exact check: SAT calls
}

// Result is the outcome of a search.
type Result struct {
	// Verdict is the search's verdict (empty for the one-run result of
	// RunEvidence, whose verdict is its run's).
	Verdict Verdict
	// Executions counts runs in the deterministic search order, the
	// fault-free run included, up to and including the verdict.
	Executions      int
	Runs            []Run
	Counterexamples []CounterexampleRun
	// Reason says why an inconclusive search stopped.
	Reason string
	// GoodOutcomes are the good outcomes of the fault-free run (see
	// GoodOutcomes), sorted by the text of their post tuple: what the search
	// tries to cut. Empty for the random and exhaustive strategies.
	GoodOutcomes []Outcome
	// SymmetryClasses are the interchangeable node classes used (empty when
	// symmetry is off or absent).
	SymmetryClasses [][]string
	// CertificateMethod says how a certificate was obtained: MethodExact,
	// MethodLineage or MethodExhaustive (empty for other verdicts).
	CertificateMethod string
	// FoundBy is FoundByExact when the exact check found the counterexample
	// (empty when a run of the search itself did).
	FoundBy string
	// Exact measures the exact check, when it ran: formula size and solver
	// calls (its times are in Stats, which alone may vary between runs).
	Exact *symbolic.Stats
	// Notes qualify the verdict (for example that the loop handed over to
	// the exact check, or what made a check vacuous).
	Notes []string
	Stats Stats
}
