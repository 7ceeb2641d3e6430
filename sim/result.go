package sim

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// Send is one message send of a run and what the schedule did to it.
type Send struct {
	Message
	// Fate is what the schedule does to the message (fault.Params.Fate).
	Fate fault.Fate
	// Arrivals are the steps at which copies arrived, within 1..EOT.
	Arrivals []int
	// Narrowed reports a SendBecause.
	Narrowed bool
}

// Run is a finished run: its messages, declared outcomes, final node
// states and the invariant's verdict.
type Run struct {
	Params   fault.Params
	Schedule fault.Schedule
	// Sends lists every message in send order (step, then the order nodes
	// ran, then the order each node sent).
	Sends []Send
	// Declarations lists the declared outcomes in declaration order.
	Declarations []Declaration
	// Expectations are what the invariant required, sorted by key text.
	Expectations []Expectation
	names        []string
	nodes        []Node
	events       []lineage.Event
	lineage      bool
	holds        map[string]bool
}

// finish evaluates the invariant over the finished run.
func (r *runner) finish() (*Run, error) {
	run := &Run{Params: r.p, Schedule: r.s, Sends: r.sent, Declarations: r.decls, names: r.names,
		nodes: r.nodes, events: r.events, lineage: r.lineage, holds: map[string]bool{}}
	for _, d := range r.decls {
		run.holds[d.Key.text] = true
	}
	var exp []Expectation
	if err := r.guard(func() { exp = r.c.Invariant(run) }); err != nil {
		return nil, fmt.Errorf("%w (in Invariant)", err)
	}
	slices.SortStableFunc(exp, func(a, b Expectation) int { return strings.Compare(a.Key.text, b.Key.text) })
	// One expectation per key: a key expected twice is broken if either is.
	for _, e := range exp {
		if n := len(run.Expectations); n > 0 && run.Expectations[n-1].Key.text == e.Key.text {
			last := &run.Expectations[n-1]
			last.Broken = last.Broken || e.Broken
			last.Because = append(last.Because, e.Because...)
			continue
		}
		run.Expectations = append(run.Expectations, e)
	}
	return run, nil
}

// Nodes lists the node names in cluster order.
func (r *Run) Nodes() []string { return slices.Clone(r.names) }

// Node returns the final state of node id (nil for an unknown id); type
// assert it to the cluster's node type.
func (r *Run) Node(id string) Node {
	if i := slices.Index(r.names, id); i >= 0 {
		return r.nodes[i]
	}
	return nil
}

// Crashed reports whether node id crashes in the run's schedule.
func (r *Run) Crashed(id string) bool {
	_, ok := r.Schedule.CrashTime(id)
	return ok
}

// Holds reports whether some node declared outcome k.
func (r *Run) Holds(k Key) bool { return r.holds[k.text] }

// Declared lists the declarations of outcomes named name, in declaration
// order.
func (r *Run) Declared(name string) []Declaration {
	var out []Declaration
	for _, d := range r.Declarations {
		if d.Key.name == name {
			out = append(out, d)
		}
	}
	return out
}

// Met reports whether expectation e is met: its key was declared and it is
// not broken.
func (r *Run) Met(e Expectation) bool { return r.holds[e.Key.text] && !e.Broken }

// Violations lists the expectations the run does not meet, sorted by key.
func (r *Run) Violations() []Expectation {
	var out []Expectation
	for _, e := range r.Expectations {
		if !r.Met(e) {
			out = append(out, e)
		}
	}
	return out
}

// Violated reports whether the run violates the invariant.
func (r *Run) Violated() bool { return len(r.Violations()) > 0 }

// Support lists, for outcome k, one set of send events per declaration of
// it (each sorted by time, sender, receiver): the outcome holds in another
// run that keeps every event of one set, as far as lineage tells. Empty
// without lineage (Options.Lineage) or when k was never declared.
func (r *Run) Support(k Key) [][]lineage.Event {
	var out [][]lineage.Event
	for _, d := range r.Declarations {
		if d.Key.text == k.text && r.lineage {
			out = append(out, r.eventsOf(d.past))
		}
	}
	return out
}

// eventsOf lists the events of p, sorted by time, sender, receiver.
func (r *Run) eventsOf(p *past) []lineage.Event {
	var out []lineage.Event
	for _, id := range p.events() {
		out = append(out, r.events[id])
	}
	slices.SortFunc(out, compareEvent)
	return out
}

func compareEvent(a, b lineage.Event) int {
	if a.Time != b.Time {
		return a.Time - b.Time
	}
	if c := strings.Compare(a.From, b.From); c != 0 {
		return c
	}
	return strings.Compare(a.To, b.To)
}

// Transcript writes the whole run, deterministically: the schedule, every
// message with its fate, every declaration with its support, the final
// state of every node (its String method, else %+v) and the verdict. Two
// runs of the same cluster under the same schedule write the same bytes.
func (r *Run) Transcript(w io.Writer) {
	fmt.Fprintf(w, "schedule: %s\n", r.Schedule)
	for _, s := range r.Sends {
		fmt.Fprintf(w, "send %s->%s@%d %s: %s\n", s.From, s.To, s.Sent, describe(s.Body), fateText(s, r.Params.EOT))
	}
	for _, d := range r.Declarations {
		fmt.Fprintf(w, "outcome %s at %s@%d", d.Key, d.Node, d.Time)
		if r.lineage {
			fmt.Fprintf(w, " because %s", eventsText(r.eventsOf(d.past)))
		}
		fmt.Fprintln(w)
	}
	for i, n := range r.names {
		fmt.Fprintf(w, "state %s: %s\n", n, describe(r.nodes[i]))
	}
	for _, e := range r.Expectations {
		verdict := "met"
		if !r.Met(e) {
			verdict = "VIOLATED"
		}
		fmt.Fprintf(w, "expect %s: %s\n", e.Key, verdict)
	}
}

func eventsText(es []lineage.Event) string {
	if len(es) == 0 {
		return "{}"
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return "{" + strings.Join(parts, " ") + "}"
}
