package cli

import (
	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/report"
	"github.com/ldfi/ldfi/search"
)

// confluenceSummary is `ldfi check --invariant confluence --format json`.
// Its bytes are deterministic: no timings, lists sorted, never null.
type confluenceSummary struct {
	Command   string `json:"command"`   // "check"
	Invariant string `json:"invariant"` // "confluence"
	Verdict   string `json:"verdict"`
	// Outcomes are the outcome relations checked, sorted.
	Outcomes   []string `json:"outcomes"`
	Executions int      `json:"executions"`
	// Schedules is the number of delivery schedules within the bounds.
	Schedules         string               `json:"schedules"`
	Reason            string               `json:"reason,omitempty"`
	CertificateMethod string               `json:"certificate_method,omitempty"`
	FoundBy           string               `json:"found_by,omitempty"`
	Exact             *confluenceExactJSON `json:"exact,omitempty"`
	// Reference is the outcome at EOT of the fault-free run.
	Reference      []string               `json:"reference"`
	Counterexample *confluenceCounterJSON `json:"counterexample"`
	Notes          []string               `json:"notes"`
	Params         confluenceParamsJSON   `json:"params"`
	Files          []report.FileJSON      `json:"files"`
	Version        string                 `json:"ldfi_version"`
}

// confluenceParamsJSON are the bounds of the check: those of the
// delivery schedules (no loss: no crashes, partitions or omissions) and of
// the search.
type confluenceParamsJSON struct {
	Nodes      []string `json:"nodes"`
	EOT        int      `json:"eot"`
	EFF        int      `json:"eff"`
	Delay      int      `json:"delay"`
	Duplicates bool     `json:"duplicates"`
	Strategy   string   `json:"strategy"`
	Seed       int64    `json:"seed"`
	MaxRuns    int      `json:"max_runs"`
}

// confluenceExactJSON is the size of the exact check's formula;
// OutcomeTuples counts the outcome tuples at EOT that some schedule may
// derive.
type confluenceExactJSON struct {
	Tuples        int `json:"tuples"`
	Instances     int `json:"instances"`
	OutcomeTuples int `json:"outcome_tuples"`
	FaultVars     int `json:"fault_variables"`
	Gates         int `json:"gates"`
	Variables     int `json:"variables"`
	Clauses       int `json:"clauses"`
	SolverCalls   int `json:"solver_calls"`
}

// confluenceCounterJSON is a confluence counterexample: two schedules
// whose outcomes differ, the fault-free one first, and the differences.
type confluenceCounterJSON struct {
	Run       int                `json:"run"`
	Reference confluenceSchedule `json:"reference"`
	Other     confluenceSchedule `json:"other"`
	// Missing are in the fault-free outcome only, Extra in the other's.
	Missing []string `json:"missing"`
	Extra   []string `json:"extra"`
}

// confluenceSchedule is one of the two schedules: its faults, the `ldfi
// run` command that replays it, and its outcome at EOT.
type confluenceSchedule struct {
	Faults  report.FaultsJSON `json:"faults"`
	Replay  string            `json:"replay"`
	Outcome []string          `json:"outcome"`
}

func newConfluenceSummary(prog *dedalus.Program, cfg search.Config, res *search.ConfluenceResult) *confluenceSummary {
	p := cfg.Params
	s := &confluenceSummary{
		Command: "check", Invariant: invariantConfluence, Verdict: string(res.Verdict),
		Outcomes: res.Outcomes, Executions: res.Executions, Schedules: fault.Count(p).String(),
		Reason: res.Reason, CertificateMethod: res.CertificateMethod, FoundBy: res.FoundBy,
		Reference: atomTexts(res.Reference), Notes: []string{}, Files: []report.FileJSON{}, Version: version(),
		Params: confluenceParamsJSON{Nodes: p.Nodes, EOT: p.EOT, EFF: p.EFF, Delay: p.MaxDelay, Duplicates: p.Duplicates,
			Strategy: string(cfg.Strategy), Seed: cfg.Seed, MaxRuns: cfg.MaxRuns},
	}
	s.Notes = append(s.Notes, res.Notes...)
	if x := res.Exact; x != nil {
		s.Exact = &confluenceExactJSON{Tuples: x.Tuples, Instances: x.Instances, OutcomeTuples: res.OutcomeTuples, FaultVars: x.FaultVars,
			Gates: x.Gates, Variables: x.Vars, Clauses: x.Clauses, SolverCalls: x.SolverCalls}
	}
	for _, f := range prog.Files {
		s.Files = append(s.Files, report.FileJSON{Path: f.Path, SHA256: f.SHA256})
	}
	if d := res.Counterexample; d != nil {
		s.Counterexample = &confluenceCounterJSON{
			Run:       d.Run,
			Reference: confluenceSchedule{Faults: report.Faults(fault.Schedule{}), Replay: report.ReplayCommand(p, fault.Schedule{}, prog), Outcome: atomTexts(res.Reference)},
			Other:     confluenceSchedule{Faults: report.Faults(d.Schedule), Replay: report.ReplayCommand(p, d.Schedule, prog), Outcome: atomTexts(d.Outcome)},
			Missing:   atomTexts(d.Missing), Extra: atomTexts(d.Extra),
		}
	}
	return s
}

// atomTexts prints tuples without their time (all are at EOT), never nil.
func atomTexts(ts []eval.Tuple) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Atom())
	}
	return out
}
