// Package twopc is two-phase commit as Go nodes, the twin of
// examples/2pc.ded: the coordinator C asks agents a, b, c to prepare
// transaction t1; each votes yes; once C holds every vote it commits and
// tells every agent at every step from then on; agents adopt C's decision.
// Invariant (termination): every node that did not crash and took part
// (C, or an agent that voted) has decided by EOT. Its bug: an agent that
// voted can only learn the outcome from C, so a coordinator crash after
// the votes blocks it forever.
//
// The fixed twin (Terminating) adds timeouts and cooperative termination:
// C aborts when a vote is missing at step 4; an agent relays any decision
// it hears to the other agents, and one that voted and heard nothing by
// step 5 aborts. With crash-stop nodes and no lost messages (EFF 0, the
// bounds 2PC is checked at) a decision sent at all reaches every agent by
// step 5, so no agent aborts against a commit another live node saw; the
// invariant adds agreement among live nodes to check it.
package twopc

import (
	"fmt"

	"github.com/ldfi/ldfi/sim"
)

// The messages.
type (
	Prepare  struct{}
	Vote     struct{}
	Decision struct{ Commit bool }
)

func (Prepare) String() string { return "prepare(t1)" }
func (Vote) String() string    { return "vote(t1,yes)" }
func (d Decision) String() string {
	if d.Commit {
		return "decision(t1,commit)"
	}
	return "decision(t1,abort)"
}

type node struct {
	fixed    bool
	coord    bool
	votes    map[string]bool
	voted    bool
	decided  string // "", "commit" or "abort"
	relayed  bool
	agents   []string
	decision sim.Message // the message the decision came with (agents)
}

func (n *node) Start(ctx *sim.Context) {
	if n.coord {
		for _, a := range n.agents {
			ctx.Send(a, Prepare{})
		}
	}
}

func (n *node) Receive(ctx *sim.Context, m sim.Message) {
	switch b := m.Body.(type) {
	case Prepare:
		n.voted = true
		ctx.Send(m.From, Vote{})
	case Vote:
		n.votes[m.From] = true
		if len(n.votes) == len(n.agents) && n.decided == "" {
			n.decide(ctx, "commit")
		}
	case Decision:
		if n.decided == "" {
			n.decided, n.decision = verdict(b.Commit), m
		}
		if n.decided == verdict(b.Commit) {
			ctx.OutcomeBecause(sim.K("decided", ctx.Self(), "t1"), m)
		}
	}
}

func verdict(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}

func (n *node) decide(ctx *sim.Context, d string) {
	n.decided = d
	ctx.Outcome("decided", ctx.Self(), "t1")
}

func (n *node) Tick(ctx *sim.Context) {
	switch {
	case n.coord && n.fixed && n.decided == "" && ctx.Now() >= 4:
		n.decide(ctx, "abort") // a vote is missing: abort
	case !n.coord && n.fixed && n.voted && n.decided == "" && ctx.Now() >= 5:
		n.decide(ctx, "abort") // heard nothing from anyone: abort
	}
	if n.coord && n.decided != "" {
		for _, a := range n.agents {
			ctx.Send(a, Decision{Commit: n.decided == "commit"})
		}
	}
	if !n.coord && n.fixed && n.decision.Body != nil && !n.relayed {
		n.relayed = true
		for _, a := range ctx.Peers() {
			if a != "C" {
				ctx.SendBecause(a, n.decision.Body, n.decision)
			}
		}
	}
}

func (n *node) String() string {
	return fmt.Sprintf("voted=%v votes=%d decided=%q", n.voted, len(n.votes), n.decided)
}

// Blocking is two-phase commit as in examples/2pc.ded.
func Blocking() *sim.Cluster { return cluster(false) }

// Terminating is two-phase commit with timeouts and cooperative
// termination.
func Terminating() *sim.Cluster { return cluster(true) }

func cluster(fixed bool) *sim.Cluster {
	agents := []string{"a", "b", "c"}
	return &sim.Cluster{
		Nodes: []string{"C", "a", "b", "c"},
		New: func(id string) sim.Node {
			return &node{fixed: fixed, coord: id == "C", votes: map[string]bool{}, agents: agents}
		},
		Invariant:       termination,
		Interchangeable: [][]string{agents},
	}
}

// termination expects C and every agent that voted, if alive, to decide;
// an expectation is broken when two live nodes decided differently.
func termination(r *sim.Run) []sim.Expectation {
	seen := map[string]bool{}
	for _, n := range r.Nodes() {
		if d := r.Node(n).(*node).decided; d != "" && !r.Crashed(n) {
			seen[d] = true
		}
	}
	var out []sim.Expectation
	for _, n := range r.Nodes() {
		st := r.Node(n).(*node)
		if r.Crashed(n) || !(st.coord || st.voted) {
			continue
		}
		out = append(out, sim.Expectation{Key: sim.K("decided", n, "t1"), Broken: len(seen) > 1})
	}
	return out
}
