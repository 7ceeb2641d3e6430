package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

// CheckText prints the terminal summary of a search: verdict, executions,
// fault space, and for a counterexample its faults, what went missing and
// why, and a compact spacetime of the failing run. ev holds the runs to
// draw (search.NewEvidence with TextDraw, or a superset such as PageDraw).
func CheckText(w io.Writer, prog *dedalus.Program, cfg search.Config, res *search.Result, ev *search.Evidence, sum *Summary) {
	p := cfg.Params
	fmt.Fprintf(w, "verdict: %s\n", res.Verdict)
	fmt.Fprintf(w, "executions: %d\n", res.Executions)
	fmt.Fprintf(w, "fault space: %s combinations (published formula); %s distinct schedules in our model\n", sum.FaultSpace, sum.Schedules)
	fmt.Fprintf(w, "bounds: nodes %s, EOT %d, EFF %d, crashes %d%s; strategy %s\n", strings.Join(p.Nodes, ","), p.EOT, p.EFF, p.MaxCrashes, p.AsyncBounds(), cfg.Strategy)
	if res.Reason != "" && res.Verdict == search.Vacuous {
		fmt.Fprintf(w, "nothing checked: %s\n", res.Reason)
	} else if res.Reason != "" {
		fmt.Fprintf(w, "stopped: %s\n", res.Reason)
	}
	if len(res.SymmetryClasses) > 0 && cfg.Symmetry {
		var cs []string
		for _, c := range res.SymmetryClasses {
			cs = append(cs, "{"+strings.Join(c, ",")+"}")
		}
		fmt.Fprintf(w, "symmetry: interchangeable nodes %s\n", strings.Join(cs, " "))
	}
	if res.CertificateMethod != "" {
		fmt.Fprintf(w, "certificate: %s\n", certificateText(res.CertificateMethod))
	}
	if x := res.Exact; x != nil {
		fmt.Fprintf(w, "exact check: %d ground tuples, %d rule instances, %d gates; SAT %d variables, %d clauses, %d solver calls\n",
			x.Tuples, x.Instances, x.Gates, x.Vars, x.Clauses, x.SolverCalls)
	}
	if res.FoundBy == search.FoundByExact && len(res.Counterexamples) > 0 {
		fmt.Fprintf(w, "found by: the exact check (a SAT model, replayed and shrunk by the evaluator)\n")
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for i, c := range res.Counterexamples {
		if i > 0 && i >= 10 {
			fmt.Fprintf(w, "... and %d more counterexamples (see --format json)\n", len(res.Counterexamples)-i)
			break
		}
		fmt.Fprintf(w, "\ncounterexample (run %d): %s\n", c.Run, c.Schedule)
		for _, v := range c.Violations {
			fmt.Fprintf(w, "  violated: %s holds at EOT %d but %s does not\n", v.Pre.Atom(), p.EOT, postText(v))
		}
		if i == 0 && ev != nil {
			run, drawn, err := ev.Drawn(c.Run)
			if !drawn || err != nil {
				continue
			}
			whyText(w, ev.Free, run, c)
			fmt.Fprintf(w, "spacetime of run %d (reproduce with: %s):\n", c.Run, ReplayCommand(p, c.Schedule, prog))
			Spacetime(w, run)
		}
	}
}

// certificateText says in words how a certificate was obtained.
func certificateText(method string) string {
	switch method {
	case search.MethodExact:
		return "exact (the SAT solver proved that no schedule within the bounds breaks the invariant)"
	case search.MethodLineage:
		return "lineage (the program is monotone in the faults: no negation, aggregation or crash reads, so cutting every derivation is the only way to break it)"
	case search.MethodExhaustive:
		return "exhaustive (every schedule within the bounds was run)"
	}
	return method
}

// whyText explains, for each missing outcome, which message sends of its
// fault-free lineage (in free, run with provenance) the schedule of c
// removes or delays; run is the run of c.
func whyText(w io.Writer, free, run *eval.Result, c search.CounterexampleRun) {
	for _, v := range c.Violations {
		post := postText(v)
		id, ok := free.Find(v.Post.Rel, v.Post.Time, v.Post.Args...)
		if !ok {
			fmt.Fprintf(w, "  why: %s does not hold even without faults\n", post)
			continue
		}
		cut, verb := cutSends(free, id, c.Schedule)
		if len(cut) == 0 {
			if appeared := appearedNegs(free, run, id, post, c.Schedule); len(appeared) > 0 {
				fmt.Fprintf(w, "  why: without faults %s relied on the absence of %s; this schedule makes it hold\n", post, strings.Join(appeared, ", "))
				continue
			}
			fmt.Fprintf(w, "  why: %s lost its support through faults that made other tuples appear\n", post)
			continue
		}
		fmt.Fprintf(w, "  why: without faults %s depended on the message sends %s; this schedule %s them\n", post, strings.Join(cut, ", "), verb)
	}
}

// cutSends lists the message sends in the fault-free lineage of tuple id
// that s keeps from arriving on time (a late one marked "(late +d)"), and
// the verb for what s does to them: removes, delays, or removes or delays.
func cutSends(free *eval.Result, id eval.TupleID, s fault.Schedule) ([]string, string) {
	p := free.Params()
	var cut []string
	removed, late := false, false
	for _, e := range free.Sends(id) {
		f := p.Fate(s, e.From, e.To, e.Time)
		switch {
		case f.Cause != fault.Kept:
			cut = append(cut, e.String())
			removed = true
		case f.Delay > 0:
			cut = append(cut, fmt.Sprintf("%s (late +%d)", e, f.Delay))
			late = true
		}
	}
	switch {
	case removed && late:
		return cut, "removes or delays"
	case late:
		return cut, "delays"
	}
	return cut, "removes"
}

// ReplayCommand is the `ldfi run` command line that reproduces a run.
func ReplayCommand(p fault.Params, s fault.Schedule, prog *dedalus.Program) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ldfi run --eot %d --eff %d --crashes %d --nodes %s", p.EOT, p.EFF, p.MaxCrashes, strings.Join(p.Nodes, ","))
	c := s.Canonical()
	for _, o := range c.Omissions {
		fmt.Fprintf(&b, " --omit %s,%s,%d", o.From, o.To, o.Time)
	}
	for _, x := range c.Crashes {
		fmt.Fprintf(&b, " --crash %s,%d", x.Node, x.Time)
	}
	for _, x := range c.Partitions {
		// quoted: the | of the split is the shell's pipe
		fmt.Fprintf(&b, " --partition '%s|%s@%s'", strings.Join(x.Groups[0], ","), strings.Join(x.Groups[1], ","), intervalText(x))
	}
	for _, x := range c.Delays {
		fmt.Fprintf(&b, " --delay %s,%s,%d,%d", x.From, x.To, x.Time, x.By)
	}
	for _, x := range c.Duplicates {
		fmt.Fprintf(&b, " --dup %s,%s,%d,%d", x.From, x.To, x.Time, x.By)
	}
	for _, f := range prog.Files {
		b.WriteString(" " + f.Path)
	}
	return b.String()
}

// Spacetime prints a compact text spacetime diagram of a run: per
// timestep, the partitions that start then, and per node (in --nodes
// order, then other receivers by name) the node's crash, the messages it
// received (a late copy or a duplicate's second copy says so) and the
// messages it sent with their fate.
func Spacetime(w io.Writer, res *eval.Result) {
	spacetimeText(w, res.Params(), res.Schedule(), res.Messages())
}

// spacetimeText is Spacetime for the messages msgs of a run under p and
// sched.
func spacetimeText(w io.Writer, p fault.Params, sched fault.Schedule, msgs []eval.Message) {
	nodes := spacetimeNodes(p.Nodes, msgs)
	width := 0
	for _, n := range nodes {
		width = max(width, len(n))
	}
	parts := sched.Canonical().Partitions
	for t := 1; t <= p.EOT; t++ {
		fmt.Fprintf(w, "  t=%d\n", t)
		quiet := true
		for _, x := range parts {
			if x.From == t {
				fmt.Fprintf(w, "    PARTITION %s: messages sent at %s between the groups are lost\n", splitText(x), intervalText(x))
				quiet = false
			}
		}
		for _, n := range nodes {
			var lines []string
			if ct, ok := sched.CrashTime(n); ok && ct == t {
				lines = append(lines, "CRASH: sends nothing from now on")
			}
			for _, m := range msgs {
				if m.To == n && slices.Contains(m.Arrivals(), t) {
					lines = append(lines, fmt.Sprintf("<- %-*s %s%s", width, m.From, msgAtom(m), arrivalNote(m, t)))
				}
			}
			for _, m := range msgs {
				if m.From == n && m.SendTime == t {
					lines = append(lines, fmt.Sprintf("-> %-*s %s  %s", width, m.To, msgAtom(m), msgFate(m, p.EOT)))
				}
			}
			for _, l := range lines {
				fmt.Fprintf(w, "    %-*s  %s\n", width, n, l)
				quiet = false
			}
		}
		if quiet {
			fmt.Fprintln(w, "    (no messages)")
		}
	}
}

// spacetimeNodes are the rows of a spacetime: the node set in its order,
// then the other receivers of msgs by name.
func spacetimeNodes(nodes []string, msgs []eval.Message) []string {
	out := slices.Clone(nodes)
	var others []string
	for _, m := range msgs {
		if !slices.Contains(out, m.To) && !slices.Contains(others, m.To) {
			others = append(others, m.To)
		}
	}
	slices.Sort(others)
	return append(out, others...)
}

// splitText prints a partition's split, e.g. "{a,b} | {c}".
func splitText(x fault.Partition) string {
	return "{" + strings.Join(x.Groups[0], ",") + "} | {" + strings.Join(x.Groups[1], ",") + "}"
}

// intervalText prints a partition's send times, e.g. "2-4" or "3".
func intervalText(x fault.Partition) string {
	if x.From == x.To {
		return strconv.Itoa(x.From)
	}
	return fmt.Sprintf("%d-%d", x.From, x.To)
}

func msgAtom(m eval.Message) string { return eval.Tuple{Rel: m.Rel, Args: m.Args}.Atom() }

// arrivalNote says, for a copy of m arriving at t other than on time,
// which copy it is: "  (sent@1, late +2)" or "  (sent@1, duplicate +3)".
func arrivalNote(m eval.Message, t int) string {
	switch {
	case t == m.SendTime+1:
		return ""
	case m.Delay > 0 && t == m.SendTime+1+m.Delay:
		return fmt.Sprintf("  (sent@%d, late +%d)", m.SendTime, m.Delay)
	}
	return fmt.Sprintf("  (sent@%d, duplicate +%d)", m.SendTime, m.Dup)
}

// msgFate is what became of a message, e.g. "delivered@2", "LOST
// (omission)", "late +2, delivered@5", "delivered@2, duplicated, again @4".
// Copies arriving after eot are never seen and say so.
func msgFate(m eval.Message, eot int) string {
	switch m.Status {
	case eval.LostOmission:
		return "LOST (omission)"
	case eval.LostCrash:
		return "LOST (sender crashed)"
	case eval.LostPartition:
		return "LOST (partition)"
	}
	if m.Delay == 0 && m.Dup == 0 {
		if m.Status == eval.AfterEOT {
			return "(arrives after EOT)"
		}
		return "delivered@" + strconv.Itoa(m.SendTime+1)
	}
	var b strings.Builder
	if m.Delay > 0 {
		fmt.Fprintf(&b, "late +%d, ", m.Delay)
	}
	if at := m.SendTime + 1 + m.Delay; at <= eot {
		fmt.Fprintf(&b, "delivered@%d", at)
	} else {
		b.WriteString("arrives after EOT")
	}
	if m.Dup > 0 {
		fmt.Fprintf(&b, ", duplicated, again @%d", m.SendTime+1+m.Dup)
		if m.SendTime+1+m.Dup > eot {
			b.WriteString(" (after EOT)")
		}
	}
	return b.String()
}

// appearedNegs lists (at most 3) negated atoms that derivations in the
// fault-free lineage of tuple id relied on and that hold in run, the run
// under s.
func appearedNegs(free, run *eval.Result, id eval.TupleID, atom string, s fault.Schedule) []string {
	g := buildLineage(free, id, atom)
	st := g.statusIn(run, free.Params(), s)
	var out []string
	for i := range g.nodes {
		if st.cut[i] != cutNeg {
			continue
		}
		for _, ng := range g.nodes[i].d.Negated {
			a := negAtomText(ng)
			if negHolds(run, ng) && len(out) < 3 && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// negAtomText prints a negated atom without its "notin": rel(args)@time,
// "_" for a wildcard.
func negAtomText(ng eval.NegAtom) string {
	var b strings.Builder
	b.WriteString(ng.Rel)
	b.WriteByte('(')
	for i, a := range ng.Args {
		if i > 0 {
			b.WriteByte(',')
		}
		if ng.Wild[i] {
			b.WriteByte('_')
		} else {
			b.WriteString(eval.FormatValue(a))
		}
	}
	b.WriteString(")@")
	b.WriteString(strconv.Itoa(ng.Time))
	return b.String()
}
