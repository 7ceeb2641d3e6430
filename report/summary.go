package report

import (
	"bytes"
	"encoding/json"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// CrashJSON is a crash in JSON.
type CrashJSON struct {
	Node string `json:"node"`
	Time int    `json:"time"`
}

// OmissionJSON is an omission in JSON.
type OmissionJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	Time int    `json:"time"`
}

// DelayJSON is a delay in JSON: the messages from From to To sent at Time
// arrive at Time+1+By.
type DelayJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	Time int    `json:"time"`
	By   int    `json:"by"`
}

// DuplicateJSON is a duplicate in JSON: the messages from From to To sent
// at Time arrive a second time, at Time+1+By.
type DuplicateJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	Time int    `json:"time"`
	By   int    `json:"by"`
}

// PartitionJSON is a partition in JSON: the messages sent at From..To
// between its two groups are lost. Groups are sorted, the group with the
// smallest node name first (canonical form).
type PartitionJSON struct {
	Groups [2][]string `json:"groups"`
	From   int         `json:"from"`
	To     int         `json:"to"`
}

// FaultsJSON is a fault schedule in JSON (crashes and omissions always
// present, sorted). The asynchrony faults appear only when the schedule
// has them, so a schedule of omissions and crashes prints as it always
// did.
type FaultsJSON struct {
	Crashes    []CrashJSON     `json:"crashes"`
	Omissions  []OmissionJSON  `json:"omissions"`
	Delays     []DelayJSON     `json:"delays,omitempty"`
	Duplicates []DuplicateJSON `json:"duplicates,omitempty"`
	Partitions []PartitionJSON `json:"partitions,omitempty"`
}

// Faults converts a schedule to its JSON form.
func Faults(s fault.Schedule) FaultsJSON {
	c := s.Canonical()
	out := FaultsJSON{Crashes: []CrashJSON{}, Omissions: []OmissionJSON{}}
	for _, x := range c.Crashes {
		out.Crashes = append(out.Crashes, CrashJSON{x.Node, x.Time})
	}
	for _, x := range c.Omissions {
		out.Omissions = append(out.Omissions, OmissionJSON{x.From, x.To, x.Time})
	}
	for _, x := range c.Delays {
		out.Delays = append(out.Delays, DelayJSON{x.From, x.To, x.Time, x.By})
	}
	for _, x := range c.Duplicates {
		out.Duplicates = append(out.Duplicates, DuplicateJSON{x.From, x.To, x.Time, x.By})
	}
	for _, x := range c.Partitions {
		out.Partitions = append(out.Partitions, PartitionJSON{Groups: x.Groups, From: x.From, To: x.To})
	}
	return out
}

// RunJSON is one execution of a search.
type RunJSON struct {
	Index      int        `json:"index"`
	Faults     FaultsJSON `json:"faults"`
	Verdict    string     `json:"verdict"` // "ok" or "violation"
	Violations []string   `json:"violations"`
	// Hypothesis lists the good outcomes the schedule was expected to cut.
	Hypothesis []string `json:"hypothesis"`
	Learned    int      `json:"learned"`
}

// CounterexampleJSON is a confirmed counterexample.
type CounterexampleJSON struct {
	Run       int            `json:"run"`
	Crashes   []CrashJSON    `json:"crashes"`
	Omissions []OmissionJSON `json:"omissions"`
	// The asynchrony faults, only when the schedule has them (FaultsJSON).
	Delays     []DelayJSON     `json:"delays,omitempty"`
	Duplicates []DuplicateJSON `json:"duplicates,omitempty"`
	Partitions []PartitionJSON `json:"partitions,omitempty"`
	Violations []string        `json:"violations"`
}

// ParamsJSON are the bounds and flags of a search.
type ParamsJSON struct {
	Nodes           []string `json:"nodes"`
	EOT             int      `json:"eot"`
	EFF             int      `json:"eff"`
	Crashes         int      `json:"crashes"`
	Strategy        string   `json:"strategy"`
	Seed            int64    `json:"seed"`
	MaxRuns         int      `json:"max_runs"`
	All             bool     `json:"all"`
	NegativeSupport bool     `json:"negative_support"`
	Symmetry        bool     `json:"symmetry"`
	// The bounds of the asynchrony faults, only when set (all off: the
	// parameters print as they always did). Omissions is the omission
	// budget, absent when omissions are unbounded.
	Delay      int  `json:"delay,omitempty"`
	Duplicates bool `json:"duplicates,omitempty"`
	Partitions int  `json:"partitions,omitempty"`
	Omissions  *int `json:"omissions,omitempty"`
}

// asyncParams fills the asynchrony bounds of p into j.
func (j *ParamsJSON) asyncParams(p fault.Params) {
	j.Delay, j.Duplicates, j.Partitions = p.MaxDelay, p.Duplicates, p.MaxPartitions
	if p.OmissionsBounded {
		k := p.MaxOmissions
		j.Omissions = &k
	}
}

// ExactJSON is the size of the exact check's formula (deterministic; its
// times are printed by --stats only).
type ExactJSON struct {
	Tuples      int `json:"tuples"`
	Instances   int `json:"instances"`
	PreTuples   int `json:"pre_tuples"`
	FaultVars   int `json:"fault_variables"`
	Gates       int `json:"gates"`
	Variables   int `json:"variables"`
	Clauses     int `json:"clauses"`
	SolverCalls int `json:"solver_calls"`
}

// FileJSON names a program file and its content hash.
type FileJSON struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Summary is the JSON summary of a search: `ldfi check --format json`
// prints it, and runs.json holds it. Its bytes are deterministic: no
// timings, every list sorted or in search order.
type Summary struct {
	// Command is "check" (a search) or "run" (one run, ldfi run --out).
	Command    string `json:"command"`
	Verdict    string `json:"verdict"`
	Executions int    `json:"executions"`
	FaultSpace string `json:"fault_space"`
	Schedules  string `json:"schedules"`
	Reason     string `json:"reason,omitempty"`
	// CertificateMethod says how a certificate was obtained: "exact" (the
	// symbolic check), "lineage" (a program monotone in the faults) or
	// "exhaustive" (every schedule run).
	CertificateMethod string `json:"certificate_method,omitempty"`
	// FoundBy is "exact" when the exact check found the counterexample.
	FoundBy         string               `json:"found_by,omitempty"`
	Exact           *ExactJSON           `json:"exact,omitempty"`
	Counterexample  *CounterexampleJSON  `json:"counterexample"`
	Counterexamples []CounterexampleJSON `json:"counterexamples"`
	GoodOutcomes    []string             `json:"good_outcomes"`
	SymmetryClasses [][]string           `json:"symmetry_classes"`
	Notes           []string             `json:"notes"`
	Runs            []RunJSON            `json:"runs"`
	Params          ParamsJSON           `json:"params"`
	Files           []FileJSON           `json:"files"`
	Version         string               `json:"ldfi_version"`
	// Consistency, when set by the caller, adds the static CALM analysis
	// to the HTML page (its "consistency" section). It is not part of
	// runs.json: ldfi calm --format json prints the analysis.
	Consistency *Consistency `json:"-"`
}

// NewSummary builds the summary of a search result.
func NewSummary(prog *dedalus.Program, cfg search.Config, res *search.Result, version string) *Summary {
	p := cfg.Params
	s := &Summary{
		Command:         "check",
		Verdict:         string(res.Verdict),
		Executions:      res.Executions,
		FaultSpace:      fault.PublishedSize(p).String(),
		Schedules:       fault.Count(p).String(),
		Reason:          res.Reason,
		Counterexamples: []CounterexampleJSON{},
		GoodOutcomes:    postTexts(res.GoodOutcomes),
		SymmetryClasses: [][]string{},
		Notes:           nonNil(res.Notes),
		Runs:            []RunJSON{},
		Params: ParamsJSON{
			Nodes: p.Nodes, EOT: p.EOT, EFF: p.EFF, Crashes: p.MaxCrashes,
			Strategy: string(cfg.Strategy), Seed: cfg.Seed, MaxRuns: cfg.MaxRuns, All: cfg.All,
			NegativeSupport: cfg.NegativeSupport, Symmetry: cfg.Symmetry,
		},
		Files:   []FileJSON{},
		Version: version,
	}
	s.Params.asyncParams(p)
	s.CertificateMethod, s.FoundBy = res.CertificateMethod, res.FoundBy
	if x := res.Exact; x != nil {
		s.Exact = &ExactJSON{Tuples: x.Tuples, Instances: x.Instances, PreTuples: x.PreTuples, FaultVars: x.FaultVars,
			Gates: x.Gates, Variables: x.Vars, Clauses: x.Clauses, SolverCalls: x.SolverCalls}
	}
	if res.SymmetryClasses != nil {
		s.SymmetryClasses = res.SymmetryClasses
	}
	for _, r := range res.Runs {
		s.Runs = append(s.Runs, RunJSON{
			Index: r.Index, Faults: Faults(r.Schedule), Verdict: string(r.Verdict()),
			Violations: preTexts(r.Violations), Hypothesis: postTexts(r.Targets), Learned: r.Learned,
		})
	}
	for _, c := range res.Counterexamples {
		f := Faults(c.Schedule)
		s.Counterexamples = append(s.Counterexamples, CounterexampleJSON{
			Run: c.Run, Crashes: f.Crashes, Omissions: f.Omissions,
			Delays: f.Delays, Duplicates: f.Duplicates, Partitions: f.Partitions, Violations: preTexts(c.Violations),
		})
	}
	if len(s.Counterexamples) > 0 {
		first := s.Counterexamples[0]
		s.Counterexample = &first
	}
	for _, f := range prog.Files {
		s.Files = append(s.Files, FileJSON{Path: f.Path, SHA256: f.SHA256})
	}
	return s
}

// JSON encodes v with two-space indentation, HTML-safe escaping off (the
// HTML report escapes on its own), and a final newline.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// preTexts returns the text of the pre tuples of outcomes (the
// violations), never nil.
func preTexts(os []search.Outcome) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.Pre.Atom())
	}
	return out
}

// postTexts returns the text of the post tuples of outcomes (the good
// outcomes), never nil.
func postTexts(os []search.Outcome) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.Post.Atom())
	}
	return out
}

// postText names the post tuple of outcome o.
func postText(o search.Outcome) string {
	if o.Post.Rel == "" {
		return "its post"
	}
	return o.Post.Atom()
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
