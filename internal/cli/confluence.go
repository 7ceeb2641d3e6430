package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/report"
	"github.com/ldfi/ldfi/search"
)

// ldfi check --invariant confluence: is an outcome relation the same at
// EOT under every delivery schedule without loss (search.CheckConfluence)?

// The values of --invariant.
const (
	invariantPrePost    = "prepost"
	invariantConfluence = "confluence"
)

// validateInvariant checks --invariant and the flags that depend on it,
// before any work: the confluence check admits no loss, and has no HTML
// report and no list of every counterexample.
func (fl *checkFlags) validateInvariant(cmd *cobra.Command) error {
	f := cmd.Flags()
	switch fl.invariant {
	case invariantPrePost:
		if f.Changed("outcome") {
			return usageError("--outcome needs --invariant confluence (the pre/post invariant has its own outcome: post)")
		}
		return nil
	case invariantConfluence:
	default:
		return usageError("--invariant must be prepost or confluence, got %q", fl.invariant)
	}
	noLoss := "the confluence check compares delivery schedules without loss (delays and duplicates only)"
	switch {
	case fl.b.crashes > 0:
		return usageError("--crashes %d: %s; leave --crashes at 0", fl.b.crashes, noLoss)
	case fl.b.async.partitions > 0:
		return usageError("--partitions %d: %s; leave --partitions out", fl.b.async.partitions, noLoss)
	case f.Changed("omissions") && fl.b.async.omissions > 0:
		return usageError("--omissions %d: %s; leave --omissions out (it is 0)", fl.b.async.omissions, noLoss)
	case f.Changed("out"):
		return usageError("--out: the HTML report is not available with --invariant confluence (use --format json)")
	case fl.all || fl.findAllMolly:
		return usageError("--all: the confluence check reports one counterexample")
	}
	return nil
}

// runConfluence checks confluence, prints the verdict and ends with its
// exit code: 1 for a counterexample, 0 certified, 3 inconclusive.
func (fl *checkFlags) runConfluence(cmd *cobra.Command, prog *dedalus.Program, params fault.Params) error {
	if len(fl.outcomes) == 0 && prog.Post == dedalus.NoRel {
		return usageError("%s: the program has no post relation, the default outcome: name one with --outcome", prog.Files[0].Path)
	}
	for _, o := range fl.outcomes {
		if prog.Rel(o) == dedalus.NoRel {
			return usageError("--outcome: no relation named %q in the program", o)
		}
	}
	params.OmissionsBounded, params.MaxOmissions = true, 0
	delayWarning(cmd, params)
	cfg := fl.config(params)
	line := startProgress(cmd.ErrOrStderr(), fl.quiet, false)
	cfg.Progress = line.progress()
	ctx, stop := interruptContext()
	defer stop()
	ctx, stopWatch := withMemoryLimit(ctx, fl.memLimit, fl.maxMemory)
	defer stopWatch()
	res, err := search.CheckConfluence(ctx, prog, cfg, fl.outcomes)
	line.end()
	if err != nil {
		return searchError(err)
	}
	if fl.stats {
		printStats(cmd.ErrOrStderr(), &search.Result{Stats: res.Stats, Exact: res.Exact})
	}
	if err := fl.confluenceOutput(cmd.OutOrStdout(), prog, cfg, res); err != nil {
		return err
	}
	switch res.Verdict {
	case search.Counterexample:
		return exitCode(ExitViolation)
	case search.Inconclusive:
		return exitCode(ExitInconclusive)
	}
	return nil
}

// confluenceOutput prints the result as text or JSON.
func (fl *checkFlags) confluenceOutput(out io.Writer, prog *dedalus.Program, cfg search.Config, res *search.ConfluenceResult) error {
	sum := newConfluenceSummary(prog, cfg, res)
	if fl.format == "json" {
		data, err := report.JSON(sum)
		if err != nil {
			return internalError(err)
		}
		_, _ = out.Write(data)
		return nil
	}
	var run *eval.Result
	if d := res.Counterexample; d != nil {
		eng, err := eval.New(prog)
		if err != nil {
			return internalError(err)
		}
		// Re-run for the spacetime: not cancelled by an interrupt.
		if run, err = eng.Run(context.Background(), cfg.Params, d.Schedule, eval.Options{}); err != nil {
			return evidenceError(err)
		}
	}
	confluenceText(out, cfg, res, sum, run)
	return nil
}

// confluenceText prints the terminal summary: verdict, bounds, how it was
// decided, and for a counterexample the differing tuples, both replay
// commands and the spacetime of the run that differs.
func confluenceText(w io.Writer, cfg search.Config, res *search.ConfluenceResult, sum *confluenceSummary, run *eval.Result) {
	p := cfg.Params
	fmt.Fprintf(w, "verdict: %s\n", res.Verdict)
	fmt.Fprintf(w, "invariant: confluence of %s (the same contents at EOT under every delivery schedule without loss)\n", strings.Join(res.Outcomes, ", "))
	fmt.Fprintf(w, "executions: %d\n", res.Executions)
	fmt.Fprintf(w, "delivery schedules: %s within the bounds\n", sum.Schedules)
	dups := ""
	if p.Duplicates {
		dups = ", duplicates"
	}
	fmt.Fprintf(w, "bounds: nodes %s, EOT %d, EFF %d, delay %d%s, no loss; strategy %s\n",
		strings.Join(p.Nodes, ","), p.EOT, p.EFF, p.MaxDelay, dups, cfg.Strategy)
	if res.Reason != "" {
		fmt.Fprintf(w, "stopped: %s\n", res.Reason)
	}
	switch res.CertificateMethod {
	case search.MethodExact:
		fmt.Fprintf(w, "certificate: exact (the SAT solver proved that no delivery schedule within the bounds changes the outcome at EOT)\n")
	case search.MethodExhaustive:
		fmt.Fprintf(w, "certificate: exhaustive (every delivery schedule within the bounds was run)\n")
	}
	if x := res.Exact; x != nil {
		fmt.Fprintf(w, "exact check: %d ground tuples, %d rule instances, %d gates; SAT %d variables, %d clauses, %d solver calls\n",
			x.Tuples, x.Instances, x.Gates, x.Vars, x.Clauses, x.SolverCalls)
	}
	if res.FoundBy == search.FoundByExact {
		fmt.Fprintf(w, "found by: the exact check (a SAT model, replayed and shrunk by the evaluator)\n")
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "outcome without faults at EOT %d: %s\n", p.EOT, tupleList(res.Reference, 12))
	c := sum.Counterexample
	if c == nil {
		return
	}
	d := res.Counterexample
	fmt.Fprintf(w, "\ncounterexample (run %d): %s\n", c.Run, d.Schedule)
	fmt.Fprintf(w, "  the outcome at EOT %d differs from the fault-free run's:\n", p.EOT)
	for _, t := range d.Missing {
		fmt.Fprintf(w, "    only without faults: %s\n", t.Atom())
	}
	for _, t := range d.Extra {
		fmt.Fprintf(w, "    only with the faults: %s\n", t.Atom())
	}
	fmt.Fprintf(w, "  replay without faults:  %s\n", c.Reference.Replay)
	fmt.Fprintf(w, "  replay with the faults: %s\n", c.Other.Replay)
	if run != nil {
		fmt.Fprintf(w, "spacetime of run %d:\n", c.Run)
		report.Spacetime(w, run)
	}
}

// tupleList prints up to max tuples, then how many more.
func tupleList(ts []eval.Tuple, max int) string {
	if len(ts) == 0 {
		return "(empty)"
	}
	var parts []string
	for i, t := range ts {
		if i == max {
			parts = append(parts, fmt.Sprintf("... and %d more (see --format json)", len(ts)-max))
			break
		}
		parts = append(parts, t.Atom())
	}
	return strings.Join(parts, " ")
}

// delayWarning warns when a late message can arrive at EOT or after it,
// where nothing can act on it: a late message then looks lost.
func delayWarning(cmd *cobra.Command, params fault.Params) {
	if params.MaxDelay > 0 && params.EOT <= params.EFF+params.MaxDelay {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: EOT %d <= EFF %d + delay %d: a message sent just before EFF and delayed fully arrives at EOT or later, when nothing can act on it (a late message then looks lost); raise --eot to at least %d\n",
			params.EOT, params.EFF, params.MaxDelay, params.EFF+params.MaxDelay+1)
	}
}
