package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// ErrNode is wrapped by the errors a node's code causes: a panic, a send to
// an unknown node, a call outside the step.
var ErrNode = errors.New("node error")

// Options tune one run.
type Options struct {
	// Lineage records every message's causal past and the support of every
	// declared outcome (what the search learns from). Off, a run only
	// produces its messages, outcomes and final states.
	Lineage bool
}

// Simulate runs cluster c under schedule s within the bounds p (whose Nodes
// must be the cluster's nodes, in any order) and returns the finished run.
// The same inputs give the same run, byte for byte. It returns an error for
// invalid bounds or a schedule outside them, for a node that panics or
// sends to an unknown node, and when ctx is done (wrapping ctx.Err()).
func Simulate(ctx context.Context, c *Cluster, p fault.Params, s fault.Schedule, opt Options) (*Run, error) {
	if err := c.check(p); err != nil {
		return nil, err
	}
	if err := p.ValidateSchedule(s); err != nil {
		return nil, err
	}
	r := newRunner(c, p, s, opt)
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	return r.finish()
}

// check reports a cluster that cannot run within p.
func (c *Cluster) check(p fault.Params) error {
	if c == nil || c.New == nil || c.Invariant == nil {
		return fmt.Errorf("sim: a cluster needs New and Invariant")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if len(p.Nodes) != len(c.Nodes) {
		return fmt.Errorf("sim: the bounds name nodes %v, the cluster %v", p.Nodes, c.Nodes)
	}
	for _, n := range c.Nodes {
		if !p.HasNode(n) {
			return fmt.Errorf("sim: the bounds name nodes %v, the cluster %v", p.Nodes, c.Nodes)
		}
	}
	return nil
}

// envelope is a message copy on its way to its receiver.
type envelope struct {
	m   Message
	to  int
	seq int // send order, for a deterministic delivery order
}

// runner is one run in progress.
type runner struct {
	c       *Cluster
	p       fault.Params
	s       fault.Schedule
	lineage bool
	names   []string
	index   map[string]int
	ctxs    []Context // one per node, handed to every call
	cur     int       // the node whose code runs (-1: none)
	eventID []int32   // (time, from, to) -> event number + 1 (0: none yet)
	nodes   []Node
	pasts   []*past
	inbox   [][]envelope // by arrival time
	now     int
	seq     int
	sent    []Send
	decls   []Declaration
	events  []lineage.Event // by event number, in order of first send
	err     error
}

func newRunner(c *Cluster, p fault.Params, s fault.Schedule, opt Options) *runner {
	r := &runner{c: c, p: p, s: s.Canonical(), lineage: opt.Lineage, names: slices.Clone(c.Nodes),
		index: map[string]int{}, inbox: make([][]envelope, p.EOT+2)}
	for i, n := range r.names {
		r.index[n] = i
	}
	n := len(r.names)
	r.pasts = make([]*past, n)
	r.ctxs = make([]Context, n)
	for i := range r.ctxs {
		r.ctxs[i] = Context{r: r, node: i}
	}
	r.eventID = make([]int32, (p.EOT+1)*n*n)
	return r
}

// run steps the cluster from 1 to EOT.
func (r *runner) run(ctx context.Context) error {
	if err := r.guard(func() {
		r.nodes = make([]Node, len(r.names))
		for i, n := range r.names {
			r.nodes[i] = r.c.New(n)
		}
	}); err != nil {
		return err
	}
	for r.now = 1; r.now <= r.p.EOT; r.now++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.guard(r.step); err != nil {
			return err
		}
	}
	r.now = r.p.EOT
	return nil
}

// step runs one timestep: Start (at 1), the arrivals in receiver order
// then send order, and every node's Tick. r.cur says whose code runs.
func (r *runner) step() {
	if r.now == 1 {
		for i, n := range r.nodes {
			r.cur = i
			n.Start(&r.ctxs[i])
		}
	}
	in := r.inbox[r.now]
	r.inbox[r.now] = nil
	slices.SortStableFunc(in, func(a, b envelope) int {
		if a.to != b.to {
			return a.to - b.to
		}
		return a.seq - b.seq
	})
	for _, e := range in {
		if r.err != nil {
			return
		}
		if r.lineage {
			r.pasts[e.to] = r.pasts[e.to].union(e.m.past)
		}
		r.cur = e.to
		r.nodes[e.to].Receive(&r.ctxs[e.to], e.m)
	}
	for i, n := range r.nodes {
		if r.err != nil {
			return
		}
		r.cur = i
		n.Tick(&r.ctxs[i])
	}
	r.cur = -1
}

// guard calls f, turning a panic of node code (r.cur's, or New's or the
// invariant's when r.cur is -1) into an error, and reports an error a
// send recorded.
func (r *runner) guard(f func()) (err error) {
	defer func() {
		if x := recover(); x != nil {
			who := "the cluster's New or Invariant"
			if r.cur >= 0 {
				who = "node " + r.names[r.cur]
			}
			err = fmt.Errorf("%w: %s panicked at step %d: %v\n%s", ErrNode, who, r.now, x, debug.Stack())
		}
	}()
	r.cur = -1
	f()
	return r.err
}

// send records a message from node i and schedules its arrivals by the
// fault model's one rule (fault.Params.Fate).
func (r *runner) send(i int, to string, body any, base *past, narrowed bool) {
	j, ok := r.index[to]
	if !ok {
		if r.err == nil {
			r.err = fmt.Errorf("%w: node %s sent %s to unknown node %q at step %d", ErrNode, r.names[i], describe(body), to, r.now)
		}
		return
	}
	from := r.names[i]
	fate := r.p.Fate(r.s, from, to, r.now)
	m := Message{From: from, To: to, Sent: r.now, Body: body}
	if r.lineage {
		m.past = base
		if i != j {
			// Messages to self are never lost: local state, no event.
			m.past = base.with(r.event(i, j))
		}
	}
	var arrivals []int
	for _, at := range fate.Arrivals(r.now) {
		if at <= r.p.EOT {
			arrivals = append(arrivals, at)
			r.inbox[at] = append(r.inbox[at], envelope{m: m, to: j, seq: r.seq})
		}
	}
	r.seq++
	r.sent = append(r.sent, Send{Message: m, Fate: fate, Arrivals: arrivals, Narrowed: narrowed})
}

// event numbers the send event i->j at the current step.
func (r *runner) event(i, j int) int {
	n := len(r.names)
	k := (r.now*n+i)*n + j
	if r.eventID[k] == 0 {
		r.events = append(r.events, lineage.Event{From: r.names[i], To: r.names[j], Time: r.now})
		r.eventID[k] = int32(len(r.events))
	}
	return int(r.eventID[k]) - 1
}

// because is the union of the pasts of the given messages.
func (r *runner) because(ms []Message) *past {
	if !r.lineage {
		return nil
	}
	var p *past
	for _, m := range ms {
		p = p.union(m.past)
	}
	return p
}

func (r *runner) declare(i int, k Key, p *past) {
	r.decls = append(r.decls, Declaration{Key: k, Node: r.names[i], Time: r.now, past: p})
}
