package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ldfi/ldfi/bench"
	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/symbolic"
)

const benchExamples = `
Examples:
  # Measure the whole corpus and regenerate the results document:
  ldfi bench --random-trials 25 --out docs/results.md

  # Two rows, as JSON, without wall times (byte-for-byte reproducible):
  ldfi bench --only simple-deliv,2pc --format json --no-times

  # A quick look with fewer random trials and a tighter time limit:
  ldfi bench --random-trials 5 --timeout-per-row 10s

  # Push the bounds only: the largest EOT (EFF = EOT - 1, 1 crash) at which
  # the exact strategy decides paxos-synod and flux within 60 s each:
  ldfi bench --push paxos-synod,flux --push-only --push-limit 60s`

func init() { register(60, newBenchCmd) }

// benchFlags are the flags of ldfi bench.
type benchFlags struct {
	programs        string
	trials          int
	out             string
	format          string
	only            string
	timeout         time.Duration
	maxRuns         int
	exhaustiveLimit int64
	parallel        int
	noTimes         bool
	inProcess       bool
	repeat          int
	workerStages    string
	noExact         bool
	maxInstances    int
	push            string
	pushOnly        bool
	pushLimit       time.Duration
	pushCrashes     int
	pushMaxEOT      int
	pushMaxRSS      string
	workerProbe     int
}

func newBenchCmd() *cobra.Command {
	var flags benchFlags
	cmd := &cobra.Command{
		Use:   "bench [flags]",
		Short: "Measure LDFI against the exact check, random and exhaustive search on a corpus of protocols",
		Long: `bench runs every entry of a bench file (a JSON array: name, files, eot, eff,
crashes, nodes, expect, paper, and optionally witness and time_goal) with four
strategies, in one process and on the same evaluator: the LDFI search; the
exact strategy (one SAT question over every schedule; --no-exact skips it);
the random search over --random-trials seeds (1..N), each trial stopping at
its first counterexample (on rows that expect a counterexample only: random
search cannot certify); and the exhaustive search when the row's exact
schedule count is at most --exhaustive-limit. It prints a table of executions
and wall times per strategy, the fault-space sizes, the verdicts, how LDFI
reached its verdict (exact check or lineage), the exact check's formula size
and solver time, and the paper's figures next to ours, as Markdown or JSON,
to stdout or to --out (an existing Markdown file's notes section is kept).

--push NAMES pushes the bounds: for each named entry, the largest EOT (EFF =
EOT - 1, --push-crashes crashes, the entry's nodes) at which the exact
strategy reaches a verdict within --push-limit. EOT is doubled from the
entry's until a probe fails, then bisected to within 1 %. Each probe runs in
a worker process of its own, killed when it holds more than --push-max-rss of
resident memory (Linux). The measurement goes in a section of the report;
--push-only skips the rows.

Every strategy on a row gets at most --timeout-per-row of wall time (the
random trials together). Each row runs in a worker process of its own (this
same binary), so that a search that overruns its limit by more than a grace
period (half the limit, at least 5 s) can be killed without slowing the rows
after it; its row then reports the strategy as abandoned and its remaining
strategies run in a fresh worker. --in-process runs everything here instead.
A progress line goes to stderr when it is a terminal.

Exit status: 0 when every verdict matches its row's expect, 1 when some row
disagrees (each is listed on stderr), 2 on bad input (unreadable or malformed
bench file, program errors, unknown --only or --push name). The push
measurement does not change the exit status: a probe that runs out of time or
memory is what it measures.` + benchExamples,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(cmd, &flags) },
	}
	flags.register(cmd.Flags())
	return cmd
}

func (bf *benchFlags) register(f *pflag.FlagSet) {
	f.StringVar(&bf.programs, "programs", "examples/bench.json", "the bench file (JSON array of entries)")
	f.IntVar(&bf.trials, "random-trials", 25, "random search trials per counterexample row (seeds 1..N)")
	f.StringVar(&bf.out, "out", "", "write the report to this file instead of stdout")
	f.StringVar(&bf.format, "format", "markdown", "output format: markdown or json")
	f.StringVar(&bf.only, "only", "", "comma-separated entry names to run (default: all)")
	f.DurationVar(&bf.timeout, "timeout-per-row", time.Minute, "wall-time limit of each strategy on a row (0: none)")
	f.IntVar(&bf.maxRuns, "max-runs", 10000, "executions limit of each search")
	f.Int64Var(&bf.exhaustiveLimit, "exhaustive-limit", 60000, "run the exhaustive search on rows with at most this many schedules (0: never)")
	f.IntVar(&bf.parallel, "parallel", runtime.NumCPU(), "executions run at once in each search (changes wall times only)")
	f.IntVar(&bf.repeat, "repeat", 3, "run each LDFI search this many times: report the fastest wall time, and check that every run ends the same way")
	f.BoolVar(&bf.noTimes, "no-times", false, "omit wall times, date and machine: deterministic output")
	f.BoolVar(&bf.inProcess, "in-process", false, "run every row in this process instead of one worker process per row (a search that overruns its time limit then keeps running and slows later rows)")
	f.BoolVar(&bf.noExact, "no-exact", false, "skip the exact strategy (one SAT question over every schedule) on every row")
	f.IntVar(&bf.maxInstances, "max-instances", symbolic.DefaultMaxInstances, "the exact check gives up (inconclusive) above this many ground rule instances (exact strategy, LDFI, --push)")
	f.StringVar(&bf.push, "push", "", "comma-separated entry names: find the largest EOT (EFF = EOT - 1) at which the exact strategy decides each within --push-limit")
	f.BoolVar(&bf.pushOnly, "push-only", false, "with --push: measure only the push, not the rows")
	f.DurationVar(&bf.pushLimit, "push-limit", time.Minute, "--push: wall-time limit of each probe")
	f.IntVar(&bf.pushCrashes, "push-crashes", 1, "--push: crash budget of every probe")
	f.IntVar(&bf.pushMaxEOT, "push-max-eot", eval.MaxEOT, "--push: the largest EOT tried")
	f.StringVar(&bf.pushMaxRSS, "push-max-rss", "8GiB", "--push: kill a probe whose worker holds more resident memory than this (0: no limit)")
	f.StringVar(&bf.workerStages, "worker-stages", "", "internal: measure these stages of the single --only row and print JSON lines")
	_ = f.MarkHidden("worker-stages")
	f.IntVar(&bf.workerProbe, "worker-probe", 0, "internal: run the push probe at this EOT of the single --only row and print it as JSON")
	_ = f.MarkHidden("worker-probe")
}

// runBench is ldfi bench: check the flags, load the entries, measure them
// (or be a worker), then write the report and list the mismatches.
func runBench(cmd *cobra.Command, bf *benchFlags) error {
	maxRSS, err := bf.validate()
	if err != nil {
		return err
	}
	entries, pushed, err := bf.selectEntries()
	if err != nil {
		return err
	}
	progs, err := loadEntries(cmd, entries)
	if err != nil {
		return err
	}
	pushProgs, err := loadEntries(cmd, pushed)
	if err != nil {
		return err
	}
	pushOpts := bench.PushOptions{
		Limit:        bf.pushLimit,
		Crashes:      bf.pushCrashes,
		MaxEOT:       bf.pushMaxEOT,
		MaxRSS:       maxRSS,
		MaxInstances: bf.maxInstances,
		Parallel:     bf.parallel,
	}
	if bf.workerProbe > 0 {
		if len(entries) != 1 {
			return usageError("--worker-probe needs exactly one --only entry")
		}
		return bench.ProbeWorker(context.Background(), cmd.OutOrStdout(), &entries[0], progs[0], pushOpts, bf.workerProbe)
	}
	opts := bench.Options{
		RandomTrials:    bf.trials,
		MaxRuns:         bf.maxRuns,
		ExhaustiveLimit: bf.exhaustiveLimit,
		Timeout:         bf.timeout,
		Parallel:        bf.parallel,
		Repeat:          bf.repeat,
		NoExact:         bf.noExact,
		MaxInstances:    bf.maxInstances,
	}
	if bf.workerStages != "" {
		return benchWorker(cmd, entries, progs, opts, bf.workerStages)
	}
	stderr := cmd.ErrOrStderr()
	rows, pushRes, err := bf.measure(stderr, entries, progs, opts, pushed, pushProgs, pushOpts)
	if err != nil {
		return err
	}
	rep := bf.report(cmd, rows, pushRes, maxRSS)
	if err := bf.write(cmd, rep); err != nil {
		return err
	}
	if bad := rep.Mismatches(); len(bad) > 0 {
		for _, m := range bad {
			fmt.Fprintln(stderr, "ldfi bench: "+m)
		}
		fmt.Fprintf(stderr, "ldfi bench: %d of %d rows disagree with their expected verdict\n", countRows(rep), len(rep.Rows))
		return exitCode(ExitViolation)
	}
	return nil
}

// validate checks the flags and returns --push-max-rss in bytes.
func (bf *benchFlags) validate() (maxRSS int64, err error) {
	if bf.format != "markdown" && bf.format != "json" {
		return 0, usageError("--format must be markdown or json, got %q", bf.format)
	}
	if bf.trials < 0 {
		return 0, usageError("--random-trials must not be negative, got %d", bf.trials)
	}
	if bf.maxRuns < 1 {
		return 0, usageError("--max-runs must be at least 1, got %d", bf.maxRuns)
	}
	if bf.repeat < 1 {
		return 0, usageError("--repeat must be at least 1, got %d", bf.repeat)
	}
	if bf.maxInstances < 1 {
		return 0, usageError("--max-instances must be at least 1, got %d", bf.maxInstances)
	}
	if bf.pushLimit <= 0 {
		return 0, usageError("--push-limit must be positive, got %s", bf.pushLimit)
	}
	if bf.pushCrashes < 0 {
		return 0, usageError("--push-crashes must not be negative, got %d", bf.pushCrashes)
	}
	if bf.pushMaxEOT < 1 || bf.pushMaxEOT > eval.MaxEOT {
		return 0, usageError("--push-max-eot must be between 1 and %d, got %d", eval.MaxEOT, bf.pushMaxEOT)
	}
	maxRSS, err = bench.ParseBytes(bf.pushMaxRSS)
	if err != nil {
		return 0, usageError("--push-max-rss: %v", err)
	}
	if bf.pushOnly && bf.push == "" {
		return 0, usageError("--push-only needs --push")
	}
	if bf.parallel < 1 {
		return 0, usageError("--parallel must be at least 1, got %d", bf.parallel)
	}
	if bf.timeout < 0 || bf.exhaustiveLimit < 0 {
		return 0, usageError("--timeout-per-row and --exhaustive-limit must not be negative")
	}
	if bf.out != "" {
		if st, err := os.Stat(filepath.Dir(bf.out)); err != nil || !st.IsDir() {
			return 0, usageError("--out %s: no such directory %s", bf.out, filepath.Dir(bf.out))
		}
	}
	return maxRSS, nil
}

// selectEntries reads the bench file and returns the entries to measure
// (--only, none with --push-only) and those to push (--push).
func (bf *benchFlags) selectEntries() (entries, pushed []bench.Entry, err error) {
	all, err := bench.ReadFile(bf.programs)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, nil, usageError("reading the bench file: %v", err)
		}
		return nil, nil, usageError("%v", err)
	}
	entries = all
	if bf.only != "" {
		if entries, err = selectEntries(all, bf.only, bf.programs, "--only"); err != nil {
			return nil, nil, err
		}
	}
	if bf.push != "" {
		if pushed, err = selectEntries(all, bf.push, bf.programs, "--push"); err != nil {
			return nil, nil, err
		}
	}
	if bf.pushOnly {
		entries = nil
	}
	return entries, pushed, nil
}

// measure runs the rows and the push, here (--in-process) or in worker
// processes, with a progress line on stderr when it is a terminal.
func (bf *benchFlags) measure(stderr io.Writer, entries []bench.Entry, progs []*dedalus.Program, opts bench.Options,
	pushed []bench.Entry, pushProgs []*dedalus.Program, pushOpts bench.PushOptions) ([]bench.Row, []bench.PushResult, error) {
	tty := isTerminal(stderr)
	if tty {
		opts.Progress = func(i, n int, name, what string) {
			fmt.Fprintf(stderr, "\r\033[K[%d/%d] %s: %s", i, n, name, what)
		}
		pushOpts.Progress = func(name string, eot int) {
			fmt.Fprintf(stderr, "\r\033[K[push] %s: EOT %d", name, eot)
		}
	}
	rows := []bench.Row{}
	var pushRes []bench.PushResult
	if bf.inProcess {
		rows = append(rows, bench.Run(context.Background(), entries, progs, opts)...)
		if len(pushed) > 0 {
			pushRes = bench.RunPush(context.Background(), pushed, pushProgs, pushOpts)
		}
	} else {
		exe, err := selfExecutable()
		if err != nil {
			return nil, nil, &exitError{code: ExitBadInput, err: fmt.Errorf("finding the ldfi executable for the row workers (use --in-process): %w", err)}
		}
		rows = append(rows, bench.RunIsolated(context.Background(), entries, opts, bf.rowWorker(exe))...)
		if len(pushed) > 0 {
			pushRes = bench.RunPushIsolated(context.Background(), pushed, pushOpts, bf.probeWorker(exe))
		}
	}
	if tty {
		fmt.Fprint(stderr, "\r\033[K")
	}
	return rows, pushRes, nil
}

// rowWorker returns the command of a worker measuring some stages of one
// entry with these flags.
func (bf *benchFlags) rowWorker(exe string) func(entry string, stages []bench.Stage) *exec.Cmd {
	settings := []string{
		"--programs", bf.programs,
		"--random-trials", fmt.Sprint(bf.trials),
		"--max-runs", fmt.Sprint(bf.maxRuns),
		"--exhaustive-limit", fmt.Sprint(bf.exhaustiveLimit),
		"--timeout-per-row", bf.timeout.String(),
		"--parallel", fmt.Sprint(bf.parallel),
		"--repeat", fmt.Sprint(bf.repeat),
		"--max-instances", fmt.Sprint(bf.maxInstances),
	}
	if bf.noExact {
		settings = append(settings, "--no-exact")
	}
	return func(entry string, stages []bench.Stage) *exec.Cmd {
		var names []string
		for _, st := range stages {
			names = append(names, string(st))
		}
		args := append([]string{"bench", "--only", entry, "--worker-stages", strings.Join(names, ",")}, settings...)
		return exec.Command(exe, args...)
	}
}

// probeWorker returns the command of a worker running one push probe.
func (bf *benchFlags) probeWorker(exe string) func(entry string, eot int) *exec.Cmd {
	return func(entry string, eot int) *exec.Cmd {
		return exec.Command(exe, "bench", "--programs", bf.programs, "--only", entry,
			"--worker-probe", fmt.Sprint(eot), "--push-limit", bf.pushLimit.String(),
			"--push-crashes", fmt.Sprint(bf.pushCrashes), "--max-instances", fmt.Sprint(bf.maxInstances),
			"--parallel", fmt.Sprint(bf.parallel))
	}
}

// report assembles the bench report of the measured rows and push.
func (bf *benchFlags) report(cmd *cobra.Command, rows []bench.Row, pushRes []bench.PushResult, maxRSS int64) *bench.Report {
	rep := &bench.Report{
		Command: benchCommand(cmd),
		Settings: bench.Settings{
			Programs:        bf.programs,
			RandomTrials:    bf.trials,
			MaxRuns:         bf.maxRuns,
			ExhaustiveLimit: bf.exhaustiveLimit,
			Timeout:         timeoutText(bf.timeout),
			InProcess:       bf.inProcess,
			Repeat:          bf.repeat,
		},
		Rows: rows,
		Push: pushRes,
	}
	if bf.push != "" {
		rep.PushSettings = &bench.PushSettings{
			Entries: bf.push, Limit: bf.pushLimit.String(), Crashes: bf.pushCrashes, MaxEOT: bf.pushMaxEOT,
			MaxInstances: bf.maxInstances, InProcess: bf.inProcess,
		}
		if maxRSS > 0 && !bf.inProcess {
			rep.PushSettings.MaxRSS = bench.Bytes(maxRSS)
		}
	}
	if bf.noTimes {
		bench.StripTimes(rep.Rows)
		bench.StripPushTimes(rep.Push)
	} else {
		rep.Date = bench.Today()
		rep.Machine = bench.ThisMachine(version(), bf.parallel)
	}
	return rep
}

// write writes the report as --format says to --out (keeping the notes of
// an existing Markdown file) or stdout.
func (bf *benchFlags) write(cmd *cobra.Command, rep *bench.Report) error {
	var data []byte
	if bf.format == "json" {
		var err error
		if data, err = rep.JSON(); err != nil {
			return err
		}
	} else {
		if bf.out != "" {
			if old, err := dedalus.ReadSourceFile(bf.out); err == nil {
				rep.Notes = bench.ExtractNotes([]byte(old))
			}
		}
		var sb strings.Builder
		if err := rep.Markdown(&sb); err != nil {
			return err
		}
		data = []byte(sb.String())
	}
	if bf.out != "" {
		if err := writeFileAtomic(bf.out, data); err != nil {
			return &exitError{code: ExitBadInput, err: fmt.Errorf("writing %s: %w", bf.out, err)}
		}
		return nil
	}
	_, err := cmd.OutOrStdout().Write(data)
	return err
}

// benchWorker is the row worker: it measures the stages of the single
// selected entry and prints one JSON message a line.
func benchWorker(cmd *cobra.Command, entries []bench.Entry, progs []*dedalus.Program, opts bench.Options, list string) error {
	if len(entries) != 1 {
		return usageError("--worker-stages needs exactly one --only entry")
	}
	var stages []bench.Stage
	for _, n := range strings.Split(list, ",") {
		st := bench.Stage(strings.TrimSpace(n))
		if !slices.Contains(bench.Stages, st) {
			return usageError("--worker-stages: unknown stage %q", n)
		}
		stages = append(stages, st)
	}
	return bench.Worker(context.Background(), cmd.OutOrStdout(), &entries[0], progs[0], opts, stages)
}

// selfExecutable finds the running ldfi binary to start row workers with.
func selfExecutable() (string, error) {
	if a := os.Args[0]; strings.ContainsRune(a, filepath.Separator) {
		return filepath.Abs(a)
	} else if p, err := exec.LookPath(a); err == nil {
		return filepath.Abs(p)
	}
	return os.Executable()
}

// loadEntries loads the program of every entry.
func loadEntries(cmd *cobra.Command, entries []bench.Entry) ([]*dedalus.Program, error) {
	progs := make([]*dedalus.Program, len(entries))
	for i, e := range entries {
		p, err := dedalus.LoadFiles(e.Files...)
		if err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: entry %q:\n", e.Pos, e.Name)
			return nil, checkLoadError(cmd, err)
		}
		if p.Pre == dedalus.NoRel || p.Post == dedalus.NoRel {
			return nil, usageError("%s: entry %q: the program has no pre/post invariant to check", e.Pos, e.Name)
		}
		progs[i] = p
	}
	return progs, nil
}

func selectEntries(entries []bench.Entry, only, programs, flag string) ([]bench.Entry, error) {
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.ContainsFunc(entries, func(e bench.Entry) bool { return e.Name == n }) {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name)
			}
			return nil, usageError("%s: no entry %q in %s (entries: %s)", flag, n, programs, strings.Join(names, ", "))
		}
		want[n] = true
	}
	if len(want) == 0 {
		return nil, usageError("%s: no entry names given", flag)
	}
	var out []bench.Entry
	for _, e := range entries {
		if want[e.Name] {
			out = append(out, e)
		}
	}
	return out, nil
}

// benchCommand reconstructs the command line from the flags that were set,
// in a fixed order, so the report names exactly what produced it.
func benchCommand(cmd *cobra.Command) string {
	parts := []string{"ldfi bench"}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Changed {
			return
		}
		if f.Value.Type() == "bool" {
			parts = append(parts, "--"+f.Name)
			return
		}
		parts = append(parts, "--"+f.Name+" "+f.Value.String())
	})
	return strings.Join(parts, " ")
}

func timeoutText(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	return d.String()
}

func countRows(rep *bench.Report) int {
	n := 0
	for _, r := range rep.Rows {
		if !r.Match {
			n++
		}
	}
	return n
}
