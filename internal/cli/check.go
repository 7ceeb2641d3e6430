package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/report"
	"github.com/ldfi/ldfi/search"
	"github.com/ldfi/ldfi/symbolic"
)

const checkExamples = `
Examples:
  # Find a lost message that breaks best-effort broadcast (exit 1):
  ldfi check --eot 4 --eff 2 --crashes 0 --nodes a,b,c examples/simple-deliv.ded

  # Certify a protocol within bounds, printing the JSON summary (exit 0):
  ldfi check --eot 6 --eff 3 --crashes 1 --nodes a,b,c --format json examples/redun-deliv.ded

  # Decide exactly with one SAT question over every schedule:
  ldfi check --strategy exact --eot 9 --eff 7 --crashes 1 --nodes C,a,b,c examples/3pc.ded

  # Compare with the baselines on the same evaluator:
  ldfi check --strategy random --seed 7 --eot 4 --eff 2 --nodes a,b,c examples/simple-deliv.ded
  ldfi check --strategy exhaustive --max-runs 5000 --eot 4 --eff 2 --nodes a,b,c examples/simple-deliv.ded

  # Is the register's outcome the same under every delivery order? (exit 1)
  ldfi check --invariant confluence --eot 6 --eff 3 --delay 2 --nodes a,b,c examples/lww-arrival.ded

  # Molly's spellings work too:
  ldfi check --EOT 4 --EFF 2 --crashes 0 --nodes a,b,c --find-all-counterexamples examples/simple-deliv.ded`

func init() { register(30, newCheckCmd) }

// checkFlags are the flags of ldfi check.
type checkFlags struct {
	b            boundsFlags
	strategy     string
	maxRuns      int
	timeout      time.Duration
	seed         int64
	all          bool
	parallel     int
	format       string
	outDir       string
	noNegSupport bool
	noSymmetry   bool
	confirm      bool
	maxInstances int
	exactAfter   int
	maxMemory    string
	memLimit     uint64 // maxMemory parsed by validate
	useSymmetry  bool
	findAllMolly bool
	stats        bool
	quiet        bool
	maxTuples    int
	invariant    string   // --invariant: prepost or confluence (confluence.go)
	outcomes     []string // --outcome, with --invariant confluence
}

func newCheckCmd() *cobra.Command {
	fl := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [flags] FILE...",
		Short: "Search the fault space for a counterexample, or certify the program within bounds",
		Long: `check runs lineage-driven fault injection on a Dedalus program with pre/post
invariants: it runs the program without faults, learns the lineage of every
good outcome, asks a SAT solver for the smallest sets of lost messages and
crashed nodes that could cut every derivation of one, runs them, learns again,
and stops with a counterexample (exit 1), a certificate for the given bounds
(exit 0), or an inconclusive verdict when --max-runs or --timeout is reached
(exit 3). Every counterexample is replayed before it is reported; 'ldfi run'
with its faults reproduces it.

A certificate of a program with negation, aggregation or a read of the crash
oracle is confirmed by the exact check (the lineage of every schedule as one
SAT question; --strategy exact runs only that), so that "certified" means no
schedule within the bounds breaks the invariant. A check in which no pre
tuple can hold is "vacuous" (exit 2): it checked nothing.

The executions count includes the fault-free run and is the same whatever
--parallel is: parallelism changes wall time only.

Interrupting a search (Ctrl-C: SIGINT, or SIGTERM) ends it like --timeout:
verdict inconclusive (exit 3), with the report of the runs so far (--out).
On a terminal, a search that lasts over a second shows a status line on
stderr; --quiet turns it off.

--invariant confluence checks instead that the outcome relations (post, or
each --outcome) hold the same tuples at EOT under every delivery schedule
without loss: messages sent before EFF arrive 0..--delay steps late and, with
--duplicates, a second time; no crash, partition or omission (--crashes,
--partitions and --omissions must stay 0). A counterexample is two schedules
whose outcomes differ, the fault-free one and another, with the differing
tuples and the 'ldfi run' commands that replay both (exit 1); a certificate
comes from the exact check or from running every schedule (exit 0).
--strategy ldfi first runs each message late and duplicated, and pairs of
those, then lets the exact check decide. It is the behavioural counterpart
of 'ldfi calm' (docs/consistency.md).
` + checkExamples,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error { return fl.run(cmd, files) },
	}
	fl.register(cmd)
	return cmd
}

func (fl *checkFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	fl.b.register(cmd)
	fl.b.registerAsync(cmd)
	f.StringVar(&fl.invariant, "invariant", invariantPrePost, "what to check: prepost (every pre tuple at EOT has its post) or confluence (the outcome at EOT is the same under every delivery schedule without loss)")
	f.StringArrayVar(&fl.outcomes, "outcome", nil, "with --invariant confluence: an outcome relation to check (repeatable; default post)")
	f.StringVar(&fl.strategy, "strategy", "ldfi", "search strategy: ldfi, exact (one SAT question over all schedules), random or exhaustive")
	f.BoolVar(&fl.confirm, "confirm", false, "confirm an ldfi certificate with the exact check even for a program monotone in the faults (programs with negation, aggregation or crash reads are always confirmed)")
	f.IntVar(&fl.exactAfter, "exact-after", search.DefaultExactAfter, "ldfi strategy: after this many executions without a counterexample, let the exact check decide (-1: never)")
	f.StringVar(&fl.maxMemory, "max-memory", defaultMaxMemory, "stop with an inconclusive verdict when the heap grows past this size (e.g. 512MiB, 8GiB; 0: no limit)")
	f.IntVar(&fl.maxInstances, "max-instances", symbolic.DefaultMaxInstances, "the exact check gives up (inconclusive) above this many ground rule instances")
	f.IntVar(&fl.maxRuns, "max-runs", search.DefaultMaxRuns, "stop with an inconclusive verdict after this many executions, at least 1 (exhaustive: refuse larger spaces)")
	maxTuplesFlag(cmd, &fl.maxTuples)
	f.DurationVar(&fl.timeout, "timeout", 0, "stop with an inconclusive verdict after this wall time (e.g. 30s; 0: none)")
	f.Int64Var(&fl.seed, "seed", 1, "seed of the random strategy")
	f.BoolVar(&fl.all, "all", false, "keep searching after the first counterexample and report every minimal one")
	f.BoolVar(&fl.findAllMolly, "find-all-counterexamples", false, "Molly's spelling of --all")
	f.IntVar(&fl.parallel, "parallel", runtime.NumCPU(), "executions run at once (changes wall time only, never the output)")
	f.StringVar(&fl.format, "format", "text", "output format: text or json")
	f.StringVar(&fl.outDir, "out", "", "write the report (runs.json, index.html, *.dot) to this directory")
	f.BoolVar(&fl.noNegSupport, "no-negative-support", false, "do not treat faults that could make an absent tuple present as ways to cut a derivation")
	f.BoolVar(&fl.noSymmetry, "no-symmetry", false, "run schedules that are equal up to interchangeable nodes separately")
	f.BoolVar(&fl.useSymmetry, "use-symmetry", false, "Molly's spelling: symmetry reduction (on by default)")
	f.BoolVar(&fl.stats, "stats", false, "print search statistics (solver and evaluation time, hypotheses) to stderr")
	f.BoolVar(&fl.quiet, "quiet", false, "no status line on stderr (shown on a terminal when a search lasts over a second)")
	_ = f.MarkHidden("find-all-counterexamples")
	_ = f.MarkHidden("use-symmetry")
}

// validate checks the flags that need no program.
func (fl *checkFlags) validate(cmd *cobra.Command) error {
	switch {
	case fl.format != "text" && fl.format != "json":
		return usageError("--format must be text or json, got %q", fl.format)
	case fl.parallel < 1:
		return usageError("--parallel must be at least 1, got %d", fl.parallel)
	case fl.exactAfter < -1 || fl.exactAfter == 0:
		return usageError("--exact-after must be at least 1, or -1 for never; got %d", fl.exactAfter)
	case fl.maxInstances < 1:
		return usageError("--max-instances must be at least 1, got %d", fl.maxInstances)
	case fl.maxRuns < 1:
		return usageError("--max-runs must be at least 1, got %d", fl.maxRuns)
	case cmd.Flags().Changed("no-symmetry") && fl.useSymmetry:
		return usageError("--no-symmetry and --use-symmetry contradict each other")
	}
	limit, err := parseSize(fl.maxMemory)
	if err != nil {
		return usageError("--max-memory: %v", err)
	}
	fl.memLimit = limit
	if err := setMaxTuples(fl.maxTuples); err != nil {
		return err
	}
	if err := fl.validateInvariant(cmd); err != nil {
		return err
	}
	return checkOutFlag(cmd, fl.outDir)
}

func (fl *checkFlags) config(params fault.Params) search.Config {
	return search.Config{
		Params:          params,
		Strategy:        search.Strategy(strings.ToLower(fl.strategy)),
		MaxRuns:         fl.maxRuns,
		Timeout:         fl.timeout,
		Seed:            fl.seed,
		All:             fl.all || fl.findAllMolly,
		Parallel:        fl.parallel,
		NegativeSupport: !fl.noNegSupport,
		Symmetry:        !fl.noSymmetry || fl.useSymmetry,
		Confirm:         fl.confirm,
		MaxInstances:    fl.maxInstances,
		ExactAfter:      fl.exactAfter,
	}
}

// run loads the program, searches, prints the verdict, then writes the
// report, and ends with the verdict's exit code.
func (fl *checkFlags) run(cmd *cobra.Command, files []string) error {
	params, err := fl.b.params(cmd)
	if err != nil {
		return err
	}
	if err := fl.validate(cmd); err != nil {
		return err
	}
	prog, err := dedalus.LoadFiles(files...)
	if err != nil {
		return checkLoadError(cmd, err)
	}
	if err := fl.b.programBounds(cmd, prog, &params); err != nil {
		return err
	}
	if fl.invariant == invariantConfluence {
		return fl.runConfluence(cmd, prog, params)
	}
	if prog.Pre == dedalus.NoRel || prog.Post == dedalus.NoRel {
		return usageError("%s: the program has no pre/post invariant to check (define both relations)", files[0])
	}
	delayWarning(cmd, params)
	cfg := fl.config(params)
	line := startProgress(cmd.ErrOrStderr(), fl.quiet, cfg.Strategy == search.LDFI)
	cfg.Progress = line.progress()
	ctx, stop := interruptContext()
	defer stop() // signals stay caught until the report is written
	ctx, stopWatch := withMemoryLimit(ctx, fl.memLimit, fl.maxMemory)
	defer stopWatch()
	res, err := search.Check(ctx, prog, cfg)
	line.end()
	if err != nil {
		return searchError(err)
	}
	if fl.stats {
		printStats(cmd.ErrOrStderr(), res)
	}
	if err := fl.output(cmd, prog, cfg, res); err != nil {
		return err
	}
	switch res.Verdict {
	case search.Counterexample:
		return exitCode(ExitViolation)
	case search.Inconclusive:
		return exitCode(ExitInconclusive)
	case search.Vacuous:
		return exitCode(ExitVacuous)
	}
	return nil
}

// output prints the verdict (text or JSON), then writes the report: a
// failure to write it loses nothing else.
func (fl *checkFlags) output(cmd *cobra.Command, prog *dedalus.Program, cfg search.Config, res *search.Result) error {
	sum := report.NewSummary(prog, cfg, res, version())
	if fl.outDir != "" {
		sum.Consistency = consistency(prog) // the page's consistency section
	}
	// The runs the text and the report draw, re-run (not cancelled by an
	// interrupt: the report of the runs so far is written).
	var ev *search.Evidence
	if fl.format != "json" || fl.outDir != "" {
		draw := report.TextDraw
		if fl.outDir != "" {
			draw = report.PageDraw
		}
		var err error
		if ev, err = search.NewEvidence(context.Background(), prog, cfg.Params, res, draw); err != nil {
			return evidenceError(err)
		}
	}
	out := cmd.OutOrStdout()
	if fl.format == "json" {
		data, err := report.JSON(sum)
		if err != nil {
			return internalError(err)
		}
		_, _ = out.Write(data)
	} else {
		report.CheckText(out, prog, cfg, res, ev, sum)
	}
	if fl.outDir != "" {
		if err := writeCheckReport(fl.outDir, prog, cfg, res, ev, sum); err != nil {
			return reportError(fl.outDir, err)
		}
		if fl.format != "json" {
			fmt.Fprintf(out, "report: %s\n", fl.outDir)
		}
	}
	return nil
}

func printStats(w io.Writer, res *search.Result) {
	st := res.Stats
	fmt.Fprintf(w, "stats: wall %s, evaluation %s (summed over workers), solver %s in %d calls\n",
		st.Wall.Round(time.Millisecond), st.EvalTime.Round(time.Millisecond), st.SolverTime.Round(time.Millisecond), st.SolverCalls)
	fmt.Fprintf(w, "stats: %d hypotheses, %d stale, %d symmetric skipped, %d speculative runs discarded, support graph %d nodes\n",
		st.Hypotheses, st.Stale, st.Symmetric, st.Speculative, st.GraphNodes)
	if x := res.Exact; x != nil {
		fmt.Fprintf(w, "stats: exact check: build %s, solve %s in %d calls; %d tuples, %d instances, %d gates, %d variables, %d clauses\n",
			st.ExactBuild.Round(time.Millisecond), st.ExactSolve.Round(time.Millisecond), x.SolverCalls, x.Tuples, x.Instances, x.Gates, x.Vars, x.Clauses)
	}
}
