// Package bench measures ldfi against its baselines on a corpus of
// protocols, the way `ldfi bench` does.
//
// A bench file (examples/bench.json) is a JSON array of entries: a
// program's files, the bounds (EOT, EFF, crash budget, nodes), the
// verdict expected, and the figures the LDFI paper published for it:
//
//	entries, err := bench.ReadFile("examples/bench.json") // positioned errors
//	progs := ... // dedalus.LoadFiles(e.Files...) for each entry
//	rows := bench.Run(ctx, entries, progs, bench.Options{RandomTrials: 25, ExhaustiveLimit: 60000, Timeout: time.Minute})
//	rep := &bench.Report{Command: "...", Settings: ..., Rows: rows}
//	rep.Markdown(os.Stdout) // or rep.JSON()
//
// For every entry, in this one process and on the same evaluator, Run
// measures the LDFI strategy (with how it reached its verdict: a
// certificate from the lineage or confirmed by the exact check, a hand-over
// to the exact check, a counterexample the exact check found), the exact
// strategy (one SAT question over every schedule: its formula size and
// solver time; Options.NoExact skips it), the random strategy over seeds
// 1..N (each trial stopping at its first counterexample; rows that expect a
// certificate are skipped, as random search cannot certify), and the
// exhaustive strategy when the exact schedule count is small enough.
// Executions and formula sizes are deterministic; wall times are not, and
// StripTimes (or a Report without Machine) leaves them out.
//
// Push measures how far the exact strategy scales on an entry: the largest
// EOT (EFF = EOT − 1) it decides within a time limit, doubling EOT from the
// entry's and then bisecting. RunPushIsolated runs every probe in a worker
// process of its own (ProbeWorker), killed when it overruns its limit or
// holds too much memory; the result goes in Report.Push.
//
// RunIsolated does the same with one worker process per row (the ldfi
// binary itself, running Worker, which prints one JSON message a line):
// a search that overruns its time limit is then killed without slowing
// the rows after it, and the row's remaining strategies go to a fresh
// worker. `ldfi bench` uses it unless --in-process is given.
package bench
