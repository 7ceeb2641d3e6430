package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/report"
	"github.com/ldfi/ldfi/search"
)

const runExamples = `
Examples:
  # Run best-effort broadcast without faults (exit 0):
  ldfi run --nodes a,b,c examples/simple-deliv.ded

  # Lose the message a->b sent at time 1 (exit 1: b never delivers):
  ldfi run --eot 4 --eff 2 --nodes a,b,c --omit a,b,1 examples/simple-deliv.ded

  # Crash a at time 2, as JSON:
  ldfi run --crashes 1 --nodes a,b,c --crash a,2 --format json examples/retry-deliv.ded

  # Why does c deliver at time 4? Print the derivation tree:
  ldfi run --nodes a,b,c --why 'log(c,"hello")@4' examples/simple-deliv.ded`

func init() { register(20, newRunCmd) }

// runFlags are the flags of ldfi run.
type runFlags struct {
	b       boundsFlags
	omits   []string
	crashes []string
	delays  []string
	dups    []string
	parts   []string
	format  string
	why     string
	outDir  string // --out (report)
	limit   int
}

func newRunCmd() *cobra.Command {
	fl := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run [flags] FILE...",
		Short: "Run a program once under a given fault schedule",
		Long: `run executes a Dedalus program for one run, timesteps 1..EOT on the given
nodes, under the faults given with --omit (a lost channel at one send time)
and --crash (a node mute from a time on), and prints the schedule, a
spacetime diagram (per timestep and node: crashes, messages received, and
messages sent with their fate), the invariant result for every pre tuple at
EOT, and the verdict. --format json prints the whole run: verdict, faults,
violations, messages and every relation's tuples.

--why prints instead the derivation tree of one tuple: how it was derived,
from which tuples, through which messages, relying on which absent tuples.
Write the tuple as rel(args)@time; strings may be quoted or bare.

Exit status: 0 when the invariant holds (or the program has no pre/post),
1 on a violation, 2 on bad input, 3 when the run derives more tuples than
--max-tuples (a runaway program, e.g. arithmetic in a recursive rule).
` + runExamples,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error { return fl.run(cmd, files) },
	}
	fl.b.register(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&fl.omits, "omit", nil, "lose the messages FROM->TO sent at T (FROM,TO,T; T < EFF); repeatable")
	f.StringArrayVar(&fl.crashes, "crash", nil, "crash NODE at time T (NODE,T; 1 <= T <= EOT); repeatable")
	f.StringArrayVar(&fl.delays, "delay", nil, "the messages FROM->TO sent at T arrive D steps late, at T+1+D (FROM,TO,T,D; T < EFF); repeatable")
	f.StringArrayVar(&fl.dups, "dup", nil, "the messages FROM->TO sent at T arrive again, at T+1+D (FROM,TO,T,D; T < EFF); repeatable")
	f.StringArrayVar(&fl.parts, "partition", nil, "the groups cannot exchange messages sent at times T1..T2 < EFF, e.g. 'a,b|c@2-4'; repeatable")
	f.StringVar(&fl.format, "format", "text", "output format: text or json")
	maxTuplesFlag(cmd, &fl.limit)
	f.StringVar(&fl.why, "why", "", `print the derivation tree of one tuple, e.g. 'log(b,"x")@4'`)
	f.StringVar(&fl.outDir, "out", "", "also write the report of this run (runs.json, index.html, *.dot) to this directory")
	return cmd
}

// validate checks the flags that need no program and parses the schedule.
func (fl *runFlags) validate(cmd *cobra.Command) (fault.Schedule, error) {
	var sched fault.Schedule
	if fl.format != "text" && fl.format != "json" {
		return sched, usageError("--format must be text or json, got %q", fl.format)
	}
	if fl.why != "" && fl.format == "json" {
		return sched, usageError("--why prints a text tree; do not combine it with --format json")
	}
	if err := setMaxTuples(fl.limit); err != nil {
		return sched, err
	}
	if err := checkOutFlag(cmd, fl.outDir); err != nil {
		return sched, err
	}
	for _, s := range fl.omits {
		o, err := fault.ParseOmission(s)
		if err != nil {
			return sched, usageError("--omit: %v", err)
		}
		sched.Omissions = append(sched.Omissions, o)
	}
	for _, s := range fl.crashes {
		c, err := fault.ParseCrash(s)
		if err != nil {
			return sched, usageError("--crash: %v", err)
		}
		sched.Crashes = append(sched.Crashes, c)
	}
	return sched, fl.parseAsync(&sched)
}

// parseAsync parses --delay, --dup and --partition into sched.
func (fl *runFlags) parseAsync(sched *fault.Schedule) error {
	for _, s := range fl.delays {
		d, err := fault.ParseDelay(s)
		if err != nil {
			return usageError("--delay: %v", err)
		}
		sched.Delays = append(sched.Delays, d)
	}
	for _, s := range fl.dups {
		d, err := fault.ParseDuplicate(s)
		if err != nil {
			return usageError("--dup: %v", err)
		}
		sched.Duplicates = append(sched.Duplicates, d)
	}
	for _, s := range fl.parts {
		x, err := fault.ParsePartition(s)
		if err != nil {
			return usageError("--partition: %v", err)
		}
		sched.Partitions = append(sched.Partitions, x)
	}
	return nil
}

// scheduleBounds widens the asynchrony bounds of p to what the schedule of
// a single run uses: ldfi run takes the faults as given, so its bounds are
// the schedule's own (the delays' largest, duplicates on, its partitions).
func scheduleBounds(p *fault.Params, s fault.Schedule) {
	for _, d := range s.Delays {
		p.MaxDelay = max(p.MaxDelay, d.By)
	}
	for _, d := range s.Duplicates {
		p.MaxDelay = max(p.MaxDelay, d.By)
		p.Duplicates = true
	}
	p.MaxPartitions = max(p.MaxPartitions, len(s.Partitions))
}

// run loads the program, runs it once, prints the result and writes the
// report, ending with exit 1 on a violation.
func (fl *runFlags) run(cmd *cobra.Command, files []string) error {
	params, err := fl.b.params(cmd)
	if err != nil {
		return err
	}
	sched, err := fl.validate(cmd)
	if err != nil {
		return err
	}
	prog, err := dedalus.LoadFiles(files...)
	if err != nil {
		return checkLoadError(cmd, err)
	}
	if err := fl.b.programBounds(cmd, prog, &params); err != nil {
		return err
	}
	scheduleBounds(&params, sched)
	if err := params.ValidateSchedule(sched); err != nil {
		return usageError("%v", err)
	}
	var target *whyTarget
	if fl.why != "" {
		if target, err = parseWhy(prog, fl.why); err != nil {
			return usageError("--why: %v", err)
		}
		if target.time > params.EOT {
			return usageError("--why: %s: time %d is after EOT (%d)", target, target.time, params.EOT)
		}
	}
	eng, err := eval.New(prog)
	if err != nil {
		return usageError("%v", err)
	}
	res, err := eng.Run(cmd.Context(), params, sched, eval.Options{Provenance: fl.why != ""})
	if errors.Is(err, eval.ErrTupleLimit) {
		return tupleLimitError(err)
	}
	if err != nil {
		return usageError("%v", err)
	}
	if err := fl.output(cmd, prog, res, target); err != nil {
		return err
	}
	if res.OK() {
		return nil
	}
	return exitCode(ExitViolation)
}

// output prints the run (the why tree, JSON or text), then writes the
// report of this run (--out) after the verdict is printed, so that a
// failure loses nothing.
func (fl *runFlags) output(cmd *cobra.Command, prog *dedalus.Program, res *eval.Result, target *whyTarget) error {
	out := cmd.OutOrStdout()
	switch {
	case target != nil:
		writeWhy(out, res, target)
	case fl.format == "json":
		if err := writeRunJSON(out, res); err != nil {
			return err
		}
	default:
		writeRunText(out, res)
	}
	if fl.outDir != "" {
		one, ev, err := search.RunEvidence(context.Background(), prog, res)
		if err == nil {
			err = writeRunReport(fl.outDir, prog, one, ev, version())
		}
		if err != nil {
			return reportError(fl.outDir, err)
		}
	}
	return nil
}

// writeRunText prints the schedule, the spacetime diagram, the invariant
// result per pre tuple and the verdict.
func writeRunText(w io.Writer, res *eval.Result) {
	p := res.Params()
	fmt.Fprintf(w, "run: nodes %s, EOT %d, EFF %d, crash budget %d%s\n", strings.Join(p.Nodes, ","), p.EOT, p.EFF, p.MaxCrashes, p.AsyncBounds())
	fmt.Fprintf(w, "faults: %s\n", res.Schedule())
	fmt.Fprintln(w)
	fmt.Fprintln(w, "spacetime (per timestep and node; <- received, -> sent):")
	report.Spacetime(w, res)
	fmt.Fprintln(w)
	if !res.HasInvariant() {
		fmt.Fprintln(w, "invariant: none (the program defines no pre/post)")
		fmt.Fprintln(w, "verdict: ok (nothing to check)")
		return
	}
	fmt.Fprintf(w, "invariant at EOT %d (every pre tuple needs an equal post tuple):\n", p.EOT)
	pre, viol := res.Pre(), res.Violations()
	if len(pre) == 0 {
		fmt.Fprintln(w, "  (no pre tuples)")
	}
	for _, t := range pre {
		if slices.ContainsFunc(viol, func(v eval.Tuple) bool { return v.String() == t.String() }) {
			post := eval.Tuple{Rel: "post", Args: t.Args}
			fmt.Fprintf(w, "  VIOLATED  %s  (no %s)\n", t.Atom(), post.Atom())
		} else {
			fmt.Fprintf(w, "  ok        %s\n", t.Atom())
		}
	}
	if len(viol) == 0 {
		fmt.Fprintln(w, "verdict: ok")
	} else {
		fmt.Fprintf(w, "verdict: violation (%d of %d pre tuples without post)\n", len(viol), len(pre))
	}
}

// JSON output.

type runJSON struct {
	Verdict    string             `json:"verdict"`
	Invariant  bool               `json:"invariant"`
	Params     paramsJSON         `json:"params"`
	Faults     report.FaultsJSON  `json:"faults"`
	Violations []tupleJSON        `json:"violations"`
	Messages   []messageJSON      `json:"messages"`
	Tables     map[string][][]any `json:"tables"` // encoding/json sorts the keys
}

type paramsJSON struct {
	Nodes      []string `json:"nodes"`
	EOT        int      `json:"eot"`
	EFF        int      `json:"eff"`
	Crashes    int      `json:"crashes"`
	Delay      int      `json:"delay,omitempty"`
	Duplicates bool     `json:"duplicates,omitempty"`
	Partitions int      `json:"partitions,omitempty"`
}

type tupleJSON struct {
	Tuple    string `json:"tuple"`
	Relation string `json:"relation"`
	Time     int    `json:"time"`
	Args     []any  `json:"args"`
}

type messageJSON struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Relation string `json:"relation"`
	Args     []any  `json:"args"`
	SendTime int    `json:"send_time"`
	Status   string `json:"status"`          // delivered, lost or after-eot
	Cause    string `json:"cause,omitempty"` // omission, crash or partition, when lost
	// Arrivals are the times its copies arrive, when late or duplicated
	// (on time: send_time + 1, not listed).
	Arrivals []int `json:"arrivals,omitempty"`
}

func jsonArgs(vs []dedalus.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		if v.Type == dedalus.TypeInt {
			out[i] = v.Int
		} else {
			out[i] = v.Str
		}
	}
	return out
}

func writeRunJSON(w io.Writer, res *eval.Result) error {
	p, s := res.Params(), res.Schedule()
	out := runJSON{
		Verdict:   "ok",
		Invariant: res.HasInvariant(),
		Params: paramsJSON{Nodes: p.Nodes, EOT: p.EOT, EFF: p.EFF, Crashes: p.MaxCrashes,
			Delay: p.MaxDelay, Duplicates: p.Duplicates, Partitions: p.MaxPartitions},
		Faults:     report.Faults(s),
		Violations: []tupleJSON{},
		Messages:   []messageJSON{},
		Tables:     map[string][][]any{},
	}
	for _, v := range res.Violations() {
		out.Verdict = "violation"
		out.Violations = append(out.Violations, tupleJSON{Tuple: v.String(), Relation: v.Rel, Time: v.Time, Args: jsonArgs(v.Args)})
	}
	for _, m := range res.Messages() {
		mj := messageJSON{From: m.From, To: m.To, Relation: m.Rel, Args: jsonArgs(m.Args), SendTime: m.SendTime, Status: "delivered"}
		switch m.Status {
		case eval.LostOmission:
			mj.Status, mj.Cause = "lost", "omission"
		case eval.LostCrash:
			mj.Status, mj.Cause = "lost", "crash"
		case eval.LostPartition:
			mj.Status, mj.Cause = "lost", "partition"
		case eval.AfterEOT:
			mj.Status = "after-eot"
		}
		if m.Delay > 0 || m.Dup > 0 {
			mj.Arrivals = m.Arrivals()
		}
		out.Messages = append(out.Messages, mj)
	}
	for _, tab := range res.Tables() {
		rows := [][]any{}
		for _, r := range tab.Rows {
			rows = append(rows, append([]any{r.Time}, jsonArgs(r.Args)...))
		}
		out.Tables[tab.Rel] = rows
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// --why.

type whyTarget struct {
	rel  string
	time int
	args []dedalus.Value
}

func (t *whyTarget) String() string {
	return eval.Tuple{Rel: t.rel, Time: t.time, Args: t.args}.String()
}

// parseWhy parses rel(arg, ...)@time against the program's relations:
// string columns take "quoted" or bare words, integer columns integers.
func parseWhy(prog *dedalus.Program, s string) (*whyTarget, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	closeAt := strings.LastIndexByte(s, ')')
	if open <= 0 || closeAt < open {
		return nil, fmt.Errorf("%q: want rel(arg, ...)@time, e.g. 'log(b,\"x\")@4'", s)
	}
	name := strings.TrimSpace(s[:open])
	rest := strings.TrimSpace(s[closeAt+1:])
	if !strings.HasPrefix(rest, "@") {
		return nil, fmt.Errorf("%q: missing @time after the tuple", s)
	}
	tm, err := strconv.Atoi(strings.TrimSpace(rest[1:]))
	if err != nil || tm < 1 {
		return nil, fmt.Errorf("%q: time %q is not a positive integer", s, rest[1:])
	}
	rid := prog.Rel(name)
	if rid == dedalus.NoRel {
		return nil, fmt.Errorf("%q: unknown relation %s", s, name)
	}
	rel := prog.Relations[rid]
	inner := strings.TrimSpace(s[open+1 : closeAt])
	var parts []string
	if inner != "" {
		if parts, err = splitArgs(inner); err != nil {
			return nil, fmt.Errorf("%q: %v", s, err)
		}
	}
	if len(parts) != rel.Arity {
		return nil, fmt.Errorf("%q: %s has %d columns, got %d", s, name, rel.Arity, len(parts))
	}
	t := &whyTarget{rel: name, time: tm}
	for i, p := range parts {
		if rel.Types[i] == dedalus.TypeInt {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q: column %d of %s is an integer, got %s", s, i+1, name, p)
			}
			t.args = append(t.args, dedalus.Value{Type: dedalus.TypeInt, Int: n})
			continue
		}
		if strings.HasPrefix(p, `"`) {
			u, err := strconv.Unquote(p)
			if err != nil {
				return nil, fmt.Errorf("%q: bad string %s", s, p)
			}
			p = u
		}
		t.args = append(t.args, dedalus.Value{Type: dedalus.TypeString, Str: p})
	}
	return t, nil
}

// splitArgs splits a,b,"c,d" at commas outside quotes and trims each part.
func splitArgs(s string) ([]string, error) {
	var parts []string
	start, inQ := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQ = !inQ
		case ',':
			if !inQ {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if inQ {
		return nil, fmt.Errorf("unterminated string")
	}
	parts = append(parts, strings.TrimSpace(s[start:]))
	for _, p := range parts {
		if p == "" {
			return nil, fmt.Errorf("empty argument")
		}
	}
	return parts, nil
}

// writeWhy prints the derivation tree of the target tuple. A tuple already
// expanded is printed again with "(see above)".
func writeWhy(w io.Writer, res *eval.Result, t *whyTarget) {
	id, ok := res.Find(t.rel, t.time, t.args...)
	if !ok {
		fmt.Fprintf(w, "%s does not hold in this run (faults: %s)\n", t, res.Schedule())
		return
	}
	prog := res.Program()
	done := map[eval.TupleID]bool{}
	var tuple func(id eval.TupleID, depth int)
	tuple = func(id eval.TupleID, depth int) {
		ind := strings.Repeat("  ", depth)
		ds := res.Derivations(id)
		label := res.Tuple(id).String()
		if len(ds) == 1 && ds[0].Kind != eval.DerivRule {
			fmt.Fprintf(w, "%s%s  [%s]\n", ind, label, ds[0].Kind)
			return
		}
		if done[id] {
			fmt.Fprintf(w, "%s%s  (see above)\n", ind, label)
			return
		}
		done[id] = true
		fmt.Fprintf(w, "%s%s\n", ind, label)
		for _, d := range ds {
			switch d.Kind {
			case eval.DerivFact, eval.DerivBuiltin:
				fmt.Fprintf(w, "%s  <- %s\n", ind, d.Kind)
				continue
			}
			r := prog.Rules[d.Rule]
			via := ""
			if d.Send != nil {
				via = fmt.Sprintf("  [message %s sent@%d]", d.Send.From+"->"+d.Send.To, d.Send.Time)
			}
			fmt.Fprintf(w, "%s  <- rule %s: %s%s\n", ind, r.Pos, r.Text, via)
			for _, b := range d.Body {
				tuple(b, depth+2)
			}
			for _, n := range d.Negated {
				fmt.Fprintf(w, "%s    %s  [absent]\n", ind, n)
			}
		}
	}
	tuple(id, 0)
	if sends := res.Sends(id); len(sends) > 0 {
		var ss []string
		for _, s := range sends {
			ss = append(ss, s.String())
		}
		fmt.Fprintf(w, "message sends in its lineage: %s\n", strings.Join(ss, " "))
	} else {
		fmt.Fprintln(w, "message sends in its lineage: none")
	}
}
