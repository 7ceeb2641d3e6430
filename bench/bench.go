package bench

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// Options configure a bench run.
type Options struct {
	// RandomTrials is the number of random searches per counterexample row,
	// with seeds 1..RandomTrials (0: none).
	RandomTrials int
	// MaxRuns bounds the executions of each search (0: search.DefaultMaxRuns).
	MaxRuns int
	// ExhaustiveLimit: the exhaustive strategy runs on rows whose exact
	// schedule count is at most this (0: never).
	ExhaustiveLimit int64
	// Timeout bounds the wall time of each strategy on a row: the LDFI
	// search, all random trials together, the exhaustive search (0: none).
	Timeout time.Duration
	// Repeat runs the LDFI search this many times (at least once): the
	// wall time reported is the fastest, and the repeats must end exactly
	// like the first.
	Repeat int
	// Grace is how long past Timeout a search may take to stop before the
	// bench abandons it (0: half the timeout, at least 5 s).
	Grace time.Duration
	// Parallel is the executions run at once in every search.
	Parallel int
	// NoExact skips the exact strategy (one SAT question over every
	// schedule) on every row.
	NoExact bool
	// ExactAfter is the LDFI search's hand-over to the exact check
	// (search.Config.ExactAfter; 0: its default).
	ExactAfter int
	// MaxInstances bounds the exact check's ground rule instances, in the
	// exact strategy and in the LDFI search (0: the search's default).
	MaxInstances int
	// worker is set in a row worker, whose parent kills it instead of
	// abandoning searches in it.
	worker bool
	// Progress, when set, is told what is being measured.
	Progress func(row, rows int, name, what string)
}

func (o *Options) maxRuns() int {
	if o.MaxRuns > 0 {
		return o.MaxRuns
	}
	return search.DefaultMaxRuns
}

// Row is the measurement of one entry.
type Row struct {
	Name    string   `json:"name"`
	Files   []string `json:"files"`
	Nodes   []string `json:"nodes"`
	EOT     int      `json:"eot"`
	EFF     int      `json:"eff"`
	Crashes int      `json:"crashes"`
	// The asynchrony bounds, as in Entry (absent: off).
	Delay      int            `json:"delay,omitempty"`
	Duplicates bool           `json:"duplicates,omitempty"`
	Partitions int            `json:"partitions,omitempty"`
	Omissions  *int           `json:"omissions,omitempty"`
	Expect     search.Verdict `json:"expect"`
	// PublishedSize is the literature's fault-space size (fault.PublishedSize),
	// Schedules the exact number of distinct schedules (fault.Count), both
	// as decimal strings.
	PublishedSize string `json:"published_size"`
	Schedules     string `json:"schedules"`
	// TimeGoal is the LDFI wall time the row should reach its verdict in
	// (Entry.Goal), as a Go duration.
	TimeGoal string `json:"time_goal"`

	LDFI       Outcome        `json:"ldfi"`
	Exact      *Outcome       `json:"exact"`      // nil: not run (see ExactSkipped)
	Random     *RandomOutcome `json:"random"`     // nil: not run (see RandomSkipped)
	Exhaustive *Outcome       `json:"exhaustive"` // nil: not run (see ExhaustiveSkipped)
	// ExactSkipped, RandomSkipped and ExhaustiveSkipped say why a strategy
	// did not run.
	ExactSkipped      string `json:"exact_skipped,omitempty"`
	RandomSkipped     string `json:"random_skipped,omitempty"`
	ExhaustiveSkipped string `json:"exhaustive_skipped,omitempty"`

	// Match reports whether the LDFI verdict is the expected one and no
	// baseline contradicts it; Problems say what disagrees otherwise.
	Match    bool     `json:"match"`
	Problems []string `json:"problems"`

	Paper *Paper `json:"paper"`
}

// Outcome is the result of one search.
type Outcome struct {
	Verdict    search.Verdict `json:"verdict"`
	Executions int            `json:"executions"`
	// Reason says why an inconclusive search stopped.
	Reason string `json:"reason,omitempty"`
	// Counterexample is the first counterexample found, as a schedule.
	Counterexample string `json:"counterexample,omitempty"`
	// Wall is the search's wall time in milliseconds (nil with NoTimes).
	Wall *float64 `json:"wall_ms,omitempty"`
	// Abandoned is set when the search did not return within its time
	// limit and a grace period, and was left running.
	Abandoned bool `json:"abandoned,omitempty"`
	// Nondeterministic says how a repeated search differed from the first
	// (empty: it did not).
	Nondeterministic string `json:"nondeterministic,omitempty"`
	// CertificateMethod says how a certificate was obtained: "exact" (the
	// exact check found no violating schedule), "lineage" (the LDFI loop
	// ran out of hypotheses on a program monotone in the faults, where
	// that is a proof) or "exhaustive" (every schedule ran).
	CertificateMethod string `json:"certificate_method,omitempty"`
	// FoundBy is "exact" when the LDFI search's counterexample came from
	// the exact check rather than from one of its own runs.
	FoundBy string `json:"found_by,omitempty"`
	// HandedOver is set when the LDFI loop handed over to the exact check
	// after search.Config.ExactAfter executions without a counterexample.
	HandedOver bool `json:"handed_over,omitempty"`
	// Exact describes the exact check's formula when the search ran it: the
	// exact strategy always, the LDFI search to confirm a certificate of a
	// program not monotone in the faults or after handing over.
	Exact *ExactFigures `json:"exact_check,omitempty"`
}

// ExactFigures are the exact check's formula size and solver time.
type ExactFigures struct {
	Tuples      int `json:"tuples"`          // ground tuples of the universe (all times)
	Instances   int `json:"instances"`       // ground rule instances
	FaultVars   int `json:"fault_variables"` // omission and crash-time variables
	Gates       int `json:"gates"`           // AND gates after structural hashing
	Vars        int `json:"variables"`       // solver variables
	Clauses     int `json:"clauses"`         // solver clauses
	SolverCalls int `json:"solver_calls"`
	// Build (grounding and circuit) and Solve (SAT calls) in milliseconds
	// (nil with NoTimes).
	Build *float64 `json:"build_ms,omitempty"`
	Solve *float64 `json:"solve_ms,omitempty"`
}

func exactFigures(res *search.Result) *ExactFigures {
	x := res.Exact
	if x == nil {
		return nil
	}
	b, s := ms(res.Stats.ExactBuild), ms(res.Stats.ExactSolve)
	return &ExactFigures{Tuples: x.Tuples, Instances: x.Instances, FaultVars: x.FaultVars, Gates: x.Gates,
		Vars: x.Vars, Clauses: x.Clauses, SolverCalls: x.SolverCalls, Build: &b, Solve: &s}
}

// handedOverNote is how search.Result.Notes says that the LDFI loop handed
// over to the exact check.
const handedOverNote = "handed over to the exact check"

// RandomOutcome summarises the random trials of a row. Executions of a
// trial that found no counterexample count at the run limit (Censored is
// then set and the mean is a lower bound).
type RandomOutcome struct {
	Trials    int `json:"trials"`     // trials asked for
	TrialsRun int `json:"trials_run"` // trials that ran (fewer when the time limit hit)
	Found     int `json:"found"`      // trials that found a counterexample
	// Executions of every trial run, by seed.
	Executions []int   `json:"executions"`
	Mean       float64 `json:"mean"`
	// Stddev is the sample standard deviation (n−1).
	Stddev   float64 `json:"stddev"`
	Min      int     `json:"min"`
	Max      int     `json:"max"`
	Censored bool    `json:"censored"`
	// WallMean is the mean wall time of a trial in milliseconds.
	WallMean *float64 `json:"wall_mean_ms,omitempty"`
	// Abandoned is set when a trial did not return within the time limit
	// and a grace period.
	Abandoned bool `json:"abandoned,omitempty"`
	// Error is the error that stopped the trials, if any.
	Error string `json:"error,omitempty"`
}

// Stage is one strategy's part of a row's measurement.
type Stage string

// The stages of a row, in the order they run.
const (
	StageLDFI       Stage = "ldfi"
	StageExact      Stage = "exact"
	StageRandom     Stage = "random"
	StageExhaustive Stage = "exhaustive"
)

// Stages lists every stage in order.
var Stages = []Stage{StageLDFI, StageExact, StageRandom, StageExhaustive}

// StageResult is what one stage measured (or why it did not run).
type StageResult struct {
	Stage   Stage          `json:"stage"`
	Outcome *Outcome       `json:"outcome,omitempty"` // LDFI, exact and exhaustive
	Random  *RandomOutcome `json:"random,omitempty"`
	Skipped string         `json:"skipped,omitempty"`
}

// Run measures every entry in this process; progs[i] is entries[i]'s
// program.
func Run(ctx context.Context, entries []Entry, progs []*dedalus.Program, opts Options) []Row {
	rows := make([]Row, len(entries))
	for i := range entries {
		rows[i] = RunEntry(ctx, &entries[i], progs[i], opts, func(what string) {
			if opts.Progress != nil {
				opts.Progress(i+1, len(entries), entries[i].Name, what)
			}
		})
	}
	return rows
}

// RunEntry measures one entry in this process: LDFI, the exact strategy
// (unless NoExact), then the random trials (on rows that expect a counterexample: random search cannot
// certify), then the exhaustive search when the space is small enough.
func RunEntry(ctx context.Context, e *Entry, prog *dedalus.Program, opts Options, progress func(string)) Row {
	row := NewRow(e)
	RunStages(ctx, e, prog, opts, Stages, Hooks{Progress: progress, Result: row.Apply})
	row.Judge()
	return row
}

// NewRow returns the row of e with its sizes and nothing measured yet.
func NewRow(e *Entry) Row {
	p := e.Params()
	return Row{
		Name: e.Name, Files: e.Files, Nodes: e.Nodes, EOT: e.EOT, EFF: e.EFF, Crashes: e.Crashes,
		Delay: e.Delay, Duplicates: e.Duplicates, Partitions: e.Partitions, Omissions: e.Omissions,
		Expect:        e.Expect,
		PublishedSize: fault.PublishedSize(p).String(),
		Schedules:     fault.Count(p).String(),
		TimeGoal:      e.Goal().String(),
		LDFI:          Outcome{Verdict: search.Inconclusive, Reason: "not run"},
		Paper:         e.Paper,
		Problems:      []string{},
	}
}

// Apply records a stage's result in the row.
func (r *Row) Apply(s StageResult) {
	switch s.Stage {
	case StageLDFI:
		if s.Outcome != nil {
			r.LDFI = *s.Outcome
		}
	case StageExact:
		r.Exact, r.ExactSkipped = s.Outcome, s.Skipped
	case StageRandom:
		r.Random, r.RandomSkipped = s.Random, s.Skipped
	case StageExhaustive:
		r.Exhaustive, r.ExhaustiveSkipped = s.Outcome, s.Skipped
	}
}

// Hooks are told what RunStages does; any may be nil.
type Hooks struct {
	Begin    func(Stage)       // a stage starts measuring (not called for a skipped stage)
	Progress func(string)      // what is being measured, for a progress line
	Result   func(StageResult) // a stage's result, as soon as it is known
}

// RunStages runs the given stages of e's measurement in order.
func RunStages(ctx context.Context, e *Entry, prog *dedalus.Program, opts Options, stages []Stage, h Hooks) {
	progress := func(what string) {
		if h.Progress != nil {
			h.Progress(what)
		}
	}
	begin := func(st Stage) {
		if h.Begin != nil {
			h.Begin(st)
		}
	}
	p := e.Params()
	base := search.Config{Params: p, MaxRuns: opts.maxRuns(), Parallel: opts.Parallel,
		ExactAfter: opts.ExactAfter, MaxInstances: opts.MaxInstances}
	for _, st := range stages {
		res := StageResult{Stage: st}
		switch st {
		case StageLDFI:
			cfg := base
			cfg.Strategy = search.LDFI
			cfg.NegativeSupport = true
			cfg.Symmetry = true
			res.Outcome = repeatRun(ctx, prog, cfg, opts, "ldfi", begin, progress)
		case StageExact:
			if opts.NoExact {
				res.Skipped = "off"
				break
			}
			cfg := base
			cfg.Strategy = search.Exact
			res.Outcome = repeatRun(ctx, prog, cfg, opts, "exact", begin, progress)
		case StageRandom:
			switch {
			case opts.RandomTrials <= 0:
				res.Skipped = "no trials asked for"
			case e.Expect != search.Counterexample:
				res.Skipped = "random search cannot certify"
			default:
				begin(st)
				res.Random = runRandom(ctx, prog, base, opts, progress)
			}
		case StageExhaustive:
			count := fault.Count(p)
			switch {
			case opts.ExhaustiveLimit <= 0:
				res.Skipped = "off"
			case count.Cmp(big.NewInt(opts.ExhaustiveLimit)) > 0:
				res.Skipped = fmt.Sprintf("more than %d schedules", opts.ExhaustiveLimit)
			default:
				begin(st)
				progress("exhaustive")
				cfg := base
				cfg.Strategy = search.Exhaustive
				cfg.Symmetry = false
				cfg.MaxRuns = int(count.Int64()) + 1
				o := runOne(ctx, prog, cfg, opts.Timeout, opts.abandonAfter(opts.Timeout))
				res.Outcome = &o
			}
		}
		if h.Result != nil {
			h.Result(res)
		}
	}
}

// repeatRun runs a search opts.Repeat times (at least once), each with its
// own time limit: the outcome is the first run's, with the fastest wall
// time, and says so when a repeat ended differently.
func repeatRun(ctx context.Context, prog *dedalus.Program, cfg search.Config, opts Options, name string, begin func(Stage), progress func(string)) *Outcome {
	st := StageLDFI
	if cfg.Strategy == search.Exact {
		st = StageExact
	}
	var o Outcome
	for k := 1; k <= max(opts.Repeat, 1); k++ {
		begin(st)
		if opts.Repeat > 1 {
			progress(fmt.Sprintf("%s, run %d/%d", name, k, opts.Repeat))
		} else {
			progress(name)
		}
		again := runOne(ctx, prog, cfg, opts.Timeout, opts.abandonAfter(opts.Timeout))
		if k == 1 {
			o = again
		} else if !o.sameAs(&again) {
			if again.Verdict != search.Inconclusive {
				o.Nondeterministic = fmt.Sprintf("run %d: %s after %d executions (%s), run 1: %s after %d (%s)",
					k, again.Verdict, again.Executions, again.Counterexample, o.Verdict, o.Executions, o.Counterexample)
			}
			break
		} else if *again.Wall < *o.Wall {
			o.Wall = again.Wall
			if o.Exact != nil && again.Exact != nil {
				o.Exact.Build, o.Exact.Solve = again.Exact.Build, again.Exact.Solve
			}
		}
		if o.Verdict == search.Inconclusive || o.Abandoned {
			break // a limit was hit: repeating measures nothing more
		}
	}
	return &o
}

// sameAs reports whether two searches ended the same way.
func (o *Outcome) sameAs(p *Outcome) bool {
	return o.Verdict == p.Verdict && o.Executions == p.Executions && o.Counterexample == p.Counterexample &&
		o.CertificateMethod == p.CertificateMethod && o.FoundBy == p.FoundBy && o.HandedOver == p.HandedOver &&
		sameFormula(o.Exact, p.Exact)
}

// sameFormula compares the deterministic part of two exact checks.
func sameFormula(a, b *ExactFigures) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.Build, x.Solve, y.Build, y.Solve = nil, nil, nil, nil
	return x == y
}

// Judge sets Match and Problems from the measurements.
func (r *Row) Judge() {
	r.Problems = []string{}
	if r.LDFI.Verdict != r.Expect {
		msg := fmt.Sprintf("LDFI verdict %s, expected %s", r.LDFI.Verdict, r.Expect)
		if r.LDFI.Reason != "" {
			msg += " (" + r.LDFI.Reason + ")"
		}
		r.Problems = append(r.Problems, msg)
	}
	if r.LDFI.Nondeterministic != "" {
		r.Problems = append(r.Problems, "LDFI is not deterministic: "+r.LDFI.Nondeterministic)
	}
	if r.Random != nil && r.Random.Error != "" {
		r.Problems = append(r.Problems, "random search failed: "+r.Random.Error)
	}
	if r.Random != nil && r.Expect == search.Certified && r.Random.Found > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("random search found a counterexample in %d trials, expected certified", r.Random.Found))
	}
	if x := r.Exact; x != nil && x.Verdict != search.Inconclusive && x.Verdict != r.Expect {
		r.Problems = append(r.Problems, fmt.Sprintf("exact verdict %s, expected %s", x.Verdict, r.Expect))
	}
	if x := r.Exact; x != nil && x.Nondeterministic != "" {
		r.Problems = append(r.Problems, "the exact strategy is not deterministic: "+x.Nondeterministic)
	}
	if x := r.Exhaustive; x != nil && x.Verdict != search.Inconclusive && x.Verdict != r.Expect {
		r.Problems = append(r.Problems, fmt.Sprintf("exhaustive verdict %s, expected %s", x.Verdict, r.Expect))
	}
	if r.LDFI.Verdict == search.Certified {
		if r.Random != nil && r.Random.Found > 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("LDFI certified, yet random search found a counterexample in %d of %d trials", r.Random.Found, r.Random.TrialsRun))
		}
		if x := r.Exact; x != nil && x.Verdict == search.Counterexample {
			r.Problems = append(r.Problems, "LDFI certified, yet the exact strategy found a counterexample: "+x.Counterexample)
		}
		if x := r.Exhaustive; x != nil && x.Verdict == search.Counterexample {
			r.Problems = append(r.Problems, "LDFI certified, yet exhaustive search found a counterexample: "+x.Counterexample)
		}
	}
	if x := r.Exact; x != nil && x.Verdict == search.Certified && r.LDFI.Verdict == search.Counterexample {
		r.Problems = append(r.Problems, "the exact strategy certified, yet LDFI found a counterexample that replays: "+r.LDFI.Counterexample)
	}
	r.Match = len(r.Problems) == 0
}

// abandonAfter is how long an in-process search may run before it is
// abandoned (0: never).
func (o *Options) abandonAfter(timeout time.Duration) time.Duration {
	if o.worker {
		return 0
	}
	return o.hardLimit(timeout)
}

// hardLimit is how long a search may run before the bench abandons it
// (0: forever): its time limit, plus a grace period to notice it.
func (o *Options) hardLimit(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 0
	}
	if o.Grace > 0 {
		return timeout + o.Grace
	}
	return timeout + max(timeout/2, 5*time.Second)
}

// runOne runs one search, stopping it at timeout (0: none).
func runOne(ctx context.Context, prog *dedalus.Program, cfg search.Config, timeout, hard time.Duration) Outcome {
	cfg.Timeout = timeout
	start := time.Now()
	res, err, abandoned := check(ctx, prog, cfg, hard)
	wall := ms(time.Since(start))
	if abandoned {
		return Outcome{Verdict: search.Inconclusive, Reason: "the search did not stop at its time limit and was abandoned", Wall: &wall, Abandoned: true}
	}
	if err != nil {
		return Outcome{Verdict: search.Inconclusive, Reason: "error: " + err.Error(), Wall: &wall}
	}
	o := Outcome{Verdict: res.Verdict, Executions: res.Executions, Reason: res.Reason, Wall: &wall,
		CertificateMethod: res.CertificateMethod, FoundBy: res.FoundBy, Exact: exactFigures(res)}
	if len(res.Counterexamples) > 0 {
		o.Counterexample = res.Counterexamples[0].Schedule.String()
	}
	if cfg.Strategy == search.LDFI {
		for _, n := range res.Notes {
			if strings.Contains(n, handedOverNote) {
				o.HandedOver = true
			}
		}
	}
	return o
}

// check runs search.Check, giving up on it (and leaving it running) when it
// outlives hard (0: never).
func check(ctx context.Context, prog *dedalus.Program, cfg search.Config, hard time.Duration) (*search.Result, error, bool) {
	if hard <= 0 {
		res, err := search.Check(ctx, prog, cfg)
		return res, err, false
	}
	type result struct {
		res *search.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := search.Check(ctx, prog, cfg)
		done <- result{res, err}
	}()
	t := time.NewTimer(hard)
	defer t.Stop()
	select {
	case r := <-done:
		return r.res, r.err, false
	case <-t.C:
		return nil, nil, true
	}
}

func runRandom(ctx context.Context, prog *dedalus.Program, base search.Config, opts Options, progress func(string)) *RandomOutcome {
	out := &RandomOutcome{Trials: opts.RandomTrials, Executions: []int{}}
	deadline := time.Time{}
	if opts.Timeout > 0 {
		deadline = time.Now().Add(opts.Timeout)
	}
	var wall time.Duration
	for seed := 1; seed <= opts.RandomTrials; seed++ {
		var left time.Duration
		if !deadline.IsZero() {
			left = time.Until(deadline)
			if left <= 0 {
				break
			}
		}
		progress(fmt.Sprintf("random trial %d/%d", seed, opts.RandomTrials))
		cfg := base
		cfg.Strategy = search.Random
		cfg.Seed = int64(seed)
		cfg.Timeout = left
		start := time.Now()
		res, err, abandoned := check(ctx, prog, cfg, opts.abandonAfter(left))
		if abandoned {
			out.Abandoned = true
			break
		}
		if err != nil {
			out.Error = err.Error()
			break
		}
		if res.Verdict == search.Inconclusive && res.Executions < cfg.MaxRuns {
			break // stopped by the time limit: an unfinished trial is not a measurement
		}
		wall += time.Since(start)
		n := res.Executions
		if res.Verdict == search.Counterexample {
			out.Found++
		} else {
			out.Censored = true
		}
		out.Executions = append(out.Executions, n)
	}
	out.summarize()
	if out.TrialsRun > 0 {
		w := ms(wall) / float64(out.TrialsRun)
		out.WallMean = &w
	}
	return out
}

// summarize computes the statistics of Executions.
func (out *RandomOutcome) summarize() {
	out.TrialsRun = len(out.Executions)
	if out.TrialsRun == 0 {
		return
	}
	out.Min, out.Max = out.Executions[0], out.Executions[0]
	sum := 0.0
	for _, n := range out.Executions {
		sum += float64(n)
		out.Min = min(out.Min, n)
		out.Max = max(out.Max, n)
	}
	out.Mean = sum / float64(out.TrialsRun)
	out.Stddev = 0
	if out.TrialsRun > 1 {
		ss := 0.0
		for _, n := range out.Executions {
			d := float64(n) - out.Mean
			ss += d * d
		}
		out.Stddev = math.Sqrt(ss / float64(out.TrialsRun-1))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// StripTimes removes every wall-time measurement from rows, leaving only
// what is deterministic.
func StripTimes(rows []Row) {
	for i := range rows {
		rows[i].LDFI.stripTimes()
		if rows[i].Exact != nil {
			rows[i].Exact.stripTimes()
		}
		if rows[i].Exhaustive != nil {
			rows[i].Exhaustive.stripTimes()
		}
		if rows[i].Random != nil {
			rows[i].Random.WallMean = nil
		}
	}
}

func (o *Outcome) stripTimes() {
	o.Wall = nil
	if o.Exact != nil {
		o.Exact.Build, o.Exact.Solve = nil, nil
	}
}
