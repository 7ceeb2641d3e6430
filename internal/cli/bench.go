package cli

import (
	"context"
	"errors"
	"fmt"
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

func newBenchCmd() *cobra.Command {
	var (
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
	)
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "markdown" && format != "json" {
				return usageError("--format must be markdown or json, got %q", format)
			}
			if trials < 0 {
				return usageError("--random-trials must not be negative, got %d", trials)
			}
			if maxRuns < 1 {
				return usageError("--max-runs must be at least 1, got %d", maxRuns)
			}
			if repeat < 1 {
				return usageError("--repeat must be at least 1, got %d", repeat)
			}
			if maxInstances < 1 {
				return usageError("--max-instances must be at least 1, got %d", maxInstances)
			}
			if pushLimit <= 0 {
				return usageError("--push-limit must be positive, got %s", pushLimit)
			}
			if pushCrashes < 0 {
				return usageError("--push-crashes must not be negative, got %d", pushCrashes)
			}
			if pushMaxEOT < 1 || pushMaxEOT > eval.MaxEOT {
				return usageError("--push-max-eot must be between 1 and %d, got %d", eval.MaxEOT, pushMaxEOT)
			}
			maxRSS, err := bench.ParseBytes(pushMaxRSS)
			if err != nil {
				return usageError("--push-max-rss: %v", err)
			}
			if pushOnly && push == "" {
				return usageError("--push-only needs --push")
			}
			if parallel < 1 {
				return usageError("--parallel must be at least 1, got %d", parallel)
			}
			if timeout < 0 || exhaustiveLimit < 0 {
				return usageError("--timeout-per-row and --exhaustive-limit must not be negative")
			}
			if out != "" {
				if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
					return usageError("--out %s: no such directory %s", out, filepath.Dir(out))
				}
			}
			all, err := bench.ReadFile(programs)
			if err != nil {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					return usageError("reading the bench file: %v", err)
				}
				return usageError("%v", err)
			}
			entries := all
			if only != "" {
				entries, err = selectEntries(all, only, programs, "--only")
				if err != nil {
					return err
				}
			}
			var pushed []bench.Entry
			if push != "" {
				if pushed, err = selectEntries(all, push, programs, "--push"); err != nil {
					return err
				}
			}
			if pushOnly {
				entries = nil
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
				Limit:        pushLimit,
				Crashes:      pushCrashes,
				MaxEOT:       pushMaxEOT,
				MaxRSS:       maxRSS,
				MaxInstances: maxInstances,
				Parallel:     parallel,
			}
			if workerProbe > 0 {
				if len(entries) != 1 {
					return usageError("--worker-probe needs exactly one --only entry")
				}
				return bench.ProbeWorker(context.Background(), cmd.OutOrStdout(), &entries[0], progs[0], pushOpts, workerProbe)
			}

			stderr := cmd.ErrOrStderr()
			opts := bench.Options{
				RandomTrials:    trials,
				MaxRuns:         maxRuns,
				ExhaustiveLimit: exhaustiveLimit,
				Timeout:         timeout,
				Parallel:        parallel,
				Repeat:          repeat,
				NoExact:         noExact,
				MaxInstances:    maxInstances,
			}
			if workerStages != "" {
				return benchWorker(cmd, entries, progs, opts, workerStages)
			}
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
			if inProcess {
				rows = append(rows, bench.Run(context.Background(), entries, progs, opts)...)
				if len(pushed) > 0 {
					pushRes = bench.RunPush(context.Background(), pushed, pushProgs, pushOpts)
				}
			} else {
				exe, err := selfExecutable()
				if err != nil {
					return &exitError{code: ExitBadInput, err: fmt.Errorf("finding the ldfi executable for the row workers (use --in-process): %w", err)}
				}
				settings := []string{
					"--programs", programs,
					"--random-trials", fmt.Sprint(trials),
					"--max-runs", fmt.Sprint(maxRuns),
					"--exhaustive-limit", fmt.Sprint(exhaustiveLimit),
					"--timeout-per-row", timeout.String(),
					"--parallel", fmt.Sprint(parallel),
					"--repeat", fmt.Sprint(repeat),
					"--max-instances", fmt.Sprint(maxInstances),
				}
				if noExact {
					settings = append(settings, "--no-exact")
				}
				launch := func(entry string, stages []bench.Stage) *exec.Cmd {
					var names []string
					for _, st := range stages {
						names = append(names, string(st))
					}
					args := append([]string{"bench", "--only", entry, "--worker-stages", strings.Join(names, ",")}, settings...)
					return exec.Command(exe, args...)
				}
				rows = append(rows, bench.RunIsolated(context.Background(), entries, opts, launch)...)
				if len(pushed) > 0 {
					launchProbe := func(entry string, eot int) *exec.Cmd {
						return exec.Command(exe, "bench", "--programs", programs, "--only", entry,
							"--worker-probe", fmt.Sprint(eot), "--push-limit", pushLimit.String(),
							"--push-crashes", fmt.Sprint(pushCrashes), "--max-instances", fmt.Sprint(maxInstances),
							"--parallel", fmt.Sprint(parallel))
					}
					pushRes = bench.RunPushIsolated(context.Background(), pushed, pushOpts, launchProbe)
				}
			}
			if tty {
				fmt.Fprint(stderr, "\r\033[K")
			}
			rep := &bench.Report{
				Command: benchCommand(cmd),
				Settings: bench.Settings{
					Programs:        programs,
					RandomTrials:    trials,
					MaxRuns:         maxRuns,
					ExhaustiveLimit: exhaustiveLimit,
					Timeout:         timeoutText(timeout),
					InProcess:       inProcess,
					Repeat:          repeat,
				},
				Rows: rows,
				Push: pushRes,
			}
			if push != "" {
				rep.PushSettings = &bench.PushSettings{
					Entries: push, Limit: pushLimit.String(), Crashes: pushCrashes, MaxEOT: pushMaxEOT,
					MaxInstances: maxInstances, InProcess: inProcess,
				}
				if maxRSS > 0 && !inProcess {
					rep.PushSettings.MaxRSS = bench.Bytes(maxRSS)
				}
			}
			if noTimes {
				bench.StripTimes(rep.Rows)
				bench.StripPushTimes(rep.Push)
			} else {
				rep.Date = bench.Today()
				rep.Machine = bench.ThisMachine(version(), parallel)
			}
			var data []byte
			if format == "json" {
				data, err = rep.JSON()
				if err != nil {
					return err
				}
			} else {
				if out != "" {
					if old, err := dedalus.ReadSourceFile(out); err == nil {
						rep.Notes = bench.ExtractNotes([]byte(old))
					}
				}
				var sb strings.Builder
				if err := rep.Markdown(&sb); err != nil {
					return err
				}
				data = []byte(sb.String())
			}
			if out != "" {
				if err := writeFileAtomic(out, data); err != nil {
					return &exitError{code: ExitBadInput, err: fmt.Errorf("writing %s: %w", out, err)}
				}
			} else if _, err := cmd.OutOrStdout().Write(data); err != nil {
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
		},
	}
	f := cmd.Flags()
	f.StringVar(&programs, "programs", "examples/bench.json", "the bench file (JSON array of entries)")
	f.IntVar(&trials, "random-trials", 25, "random search trials per counterexample row (seeds 1..N)")
	f.StringVar(&out, "out", "", "write the report to this file instead of stdout")
	f.StringVar(&format, "format", "markdown", "output format: markdown or json")
	f.StringVar(&only, "only", "", "comma-separated entry names to run (default: all)")
	f.DurationVar(&timeout, "timeout-per-row", time.Minute, "wall-time limit of each strategy on a row (0: none)")
	f.IntVar(&maxRuns, "max-runs", 10000, "executions limit of each search")
	f.Int64Var(&exhaustiveLimit, "exhaustive-limit", 60000, "run the exhaustive search on rows with at most this many schedules (0: never)")
	f.IntVar(&parallel, "parallel", runtime.NumCPU(), "executions run at once in each search (changes wall times only)")
	f.IntVar(&repeat, "repeat", 3, "run each LDFI search this many times: report the fastest wall time, and check that every run ends the same way")
	f.BoolVar(&noTimes, "no-times", false, "omit wall times, date and machine: deterministic output")
	f.BoolVar(&inProcess, "in-process", false, "run every row in this process instead of one worker process per row (a search that overruns its time limit then keeps running and slows later rows)")
	f.BoolVar(&noExact, "no-exact", false, "skip the exact strategy (one SAT question over every schedule) on every row")
	f.IntVar(&maxInstances, "max-instances", symbolic.DefaultMaxInstances, "the exact check gives up (inconclusive) above this many ground rule instances (exact strategy, LDFI, --push)")
	f.StringVar(&push, "push", "", "comma-separated entry names: find the largest EOT (EFF = EOT - 1) at which the exact strategy decides each within --push-limit")
	f.BoolVar(&pushOnly, "push-only", false, "with --push: measure only the push, not the rows")
	f.DurationVar(&pushLimit, "push-limit", time.Minute, "--push: wall-time limit of each probe")
	f.IntVar(&pushCrashes, "push-crashes", 1, "--push: crash budget of every probe")
	f.IntVar(&pushMaxEOT, "push-max-eot", eval.MaxEOT, "--push: the largest EOT tried")
	f.StringVar(&pushMaxRSS, "push-max-rss", "8GiB", "--push: kill a probe whose worker holds more resident memory than this (0: no limit)")
	f.StringVar(&workerStages, "worker-stages", "", "internal: measure these stages of the single --only row and print JSON lines")
	_ = f.MarkHidden("worker-stages")
	f.IntVar(&workerProbe, "worker-probe", 0, "internal: run the push probe at this EOT of the single --only row and print it as JSON")
	_ = f.MarkHidden("worker-probe")
	return cmd
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
