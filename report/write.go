package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// Write writes the report of a search into dir: runs.json (the summary),
// index.html (the self-contained page) and the Graphviz DOT files of the
// diagrams of the counterexample runs (or of the first run when there is
// none): spacetime-runN.dot, lineage-runN-free.dot and lineage-runN.dot.
// Files are written to a temporary name and renamed, so a failed write
// leaves no half-written file; DOT files of an earlier report in dir are
// removed. The same inputs give the same bytes.
func Write(dir string, prog *dedalus.Program, cfg search.Config, res *search.Result, sum *Summary) error {
	return write(dir, prog, cfg.Params, res, sum, "check")
}

// NewRunSummary describes one run (ldfi run) in the runs.json format: one
// run, verdict "ok" or "violation", and the good outcomes of the fault-free
// run (what the run's faults may cut).
func NewRunSummary(prog *dedalus.Program, p fault.Params, s fault.Schedule, version string) (*Summary, *search.Result, error) {
	eng, err := eval.New(prog)
	if err != nil {
		return nil, nil, err
	}
	free, err := eng.Run(p, fault.Schedule{}, eval.Options{})
	if err != nil {
		return nil, nil, err
	}
	run, err := eng.Run(p, s, eval.Options{})
	if err != nil {
		return nil, nil, err
	}
	res := &search.Result{Verdict: "ok", Executions: 1}
	for _, id := range free.Post() {
		res.GoodOutcomes = append(res.GoodOutcomes, free.Tuple(id).Atom())
	}
	r := search.Run{Index: 1, Schedule: s.Canonical()}
	for _, v := range run.Violations() {
		r.Violations = append(r.Violations, v.Atom())
	}
	res.Runs = []search.Run{r}
	if r.Violated() {
		res.Verdict = "violation"
		res.Counterexamples = []search.CounterexampleRun{{Run: 1, Schedule: r.Schedule, Violations: r.Violations}}
	}
	sum := NewSummary(prog, search.Config{Params: p}, res, version)
	sum.Command = "run"
	return sum, res, nil
}

// WriteRun writes the report of one run (ldfi run --out): the same files
// as Write, for a search of one execution.
func WriteRun(dir string, prog *dedalus.Program, p fault.Params, s fault.Schedule, version string) error {
	sum, res, err := NewRunSummary(prog, p, s, version)
	if err != nil {
		return err
	}
	return write(dir, prog, p, res, sum, "run")
}

func write(dir string, prog *dedalus.Program, p fault.Params, res *search.Result, sum *Summary, mode string) error {
	pg, err := buildPage(context.Background(), prog, p, res, mode)
	if err != nil {
		return err
	}
	html, err := renderHTML(prog, sum, pg)
	if err != nil {
		return err
	}
	data, err := JSON(sum)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, d := range pg.dots {
		keep[d.name] = true
		if err := writeAtomic(filepath.Join(dir, d.name), []byte(d.text)); err != nil {
			return err
		}
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.dot"))
	for _, f := range old {
		base := filepath.Base(f)
		if !keep[base] && (strings.HasPrefix(base, "spacetime-run") || strings.HasPrefix(base, "lineage-run")) {
			_ = os.Remove(f)
		}
	}
	if err := writeAtomic(filepath.Join(dir, "runs.json"), data); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "index.html"), html)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ldfi-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
