// Package raft is the safety core of a Raft-style leader election as Go
// nodes, the twin of examples/raft-election.ded: nodes a and b stand for
// term 1 together (a split vote); a candidate votes for itself and asks
// the others for their vote at every step until it wins; a node grants at
// most one vote per term, to the lowest-id candidate among the requests
// that reach it first, and repeats that grant to the same candidate; two
// votes out of three make a leader, which sends heartbeats; a node that
// has neither led nor heard a leader before step 5 stands for term 2.
// Invariant (election safety): at most one leader per term.
//
// The broken twin (Fickle) lets a voter switch to a lower-id candidate
// that asks later in the same term: a request that arrives late (a lost
// first request) elects a second leader.
package raft

import (
	"fmt"
	"slices"

	"github.com/ldfi/ldfi/sim"
)

// The messages.
type (
	ReqVote   struct{ Term int }
	Grant     struct{ Term int }
	Heartbeat struct{ Term int }
)

func (m ReqVote) String() string   { return fmt.Sprintf("reqvote(%d)", m.Term) }
func (m Grant) String() string     { return fmt.Sprintf("grant(%d)", m.Term) }
func (m Heartbeat) String() string { return fmt.Sprintf("heartbeat(%d)", m.Term) }

// members are the nodes by id: a lower index is a lower id.
var members = []string{"a", "b", "c"}

type node struct {
	fickle      bool
	candidate   map[int]bool
	votedFor    map[int]string
	votedBefore map[int]bool // voted in an earlier step
	votes       map[int]map[string]bool
	leader      map[int]bool
	sawLeader   bool // heard a heartbeat or led, before this step
	reqs, acks  []sim.Message
	heard       bool
}

func newNode(id string, fickle bool) *node {
	n := &node{fickle: fickle, candidate: map[int]bool{}, votedFor: map[int]string{}, votedBefore: map[int]bool{},
		votes: map[int]map[string]bool{}, leader: map[int]bool{}}
	if id == "a" || id == "b" {
		n.candidate[1] = true
	}
	return n
}

func (n *node) Start(*sim.Context) {}

// Receive collects the step's messages; Tick acts on them together, as the
// Dedalus rules of one timestep do.
func (n *node) Receive(_ *sim.Context, m sim.Message) {
	switch m.Body.(type) {
	case ReqVote:
		n.reqs = append(n.reqs, m)
	case Grant:
		n.acks = append(n.acks, m)
	case Heartbeat:
		n.heard = true
	}
}

func (n *node) Tick(ctx *sim.Context) {
	self := ctx.Self()
	if ctx.Now() == 5 && !n.sawLeader && !n.votedBefore[2] {
		n.candidate[2] = true
	}
	for t := range n.candidate {
		n.votedFor[t] = self
	}
	n.vote()
	for _, m := range n.reqs {
		if t := m.Body.(ReqVote).Term; n.votedFor[t] == m.From {
			ctx.SendBecause(m.From, Grant{t}, m)
		}
	}
	n.count(ctx)
	for _, t := range sortedTerms(n.candidate) {
		for _, p := range ctx.Peers() {
			if !n.leader[t] {
				ctx.SendBecause(p, ReqVote{t}) // depends on the candidacy alone
			} else {
				ctx.Send(p, Heartbeat{t})
			}
		}
	}
	n.sawLeader = n.sawLeader || n.heard || len(n.leader) > 0
	for t := range n.votedFor {
		n.votedBefore[t] = true
	}
	n.reqs, n.acks, n.heard = nil, nil, false
}

// vote grants this step's vote of each term requested: to the lowest-id
// requester, unless the node voted in an earlier step or stands itself
// (fickle: unless it voted for a lower id).
func (n *node) vote() {
	for _, m := range n.reqs {
		t := m.Body.(ReqVote).Term
		if n.candidate[t] {
			continue
		}
		cur, has := n.votedFor[t]
		switch {
		case !n.votedBefore[t] && (!has || id(m.From) < id(cur)):
			n.votedFor[t] = m.From
		case n.fickle && has && id(m.From) < id(cur):
			n.votedFor[t] = m.From
		}
	}
}

// count adds the step's grants; self and one grant are two votes of three:
// each grant is one way the node is leader.
func (n *node) count(ctx *sim.Context) {
	for _, m := range n.acks {
		t := m.Body.(Grant).Term
		if n.votes[t] == nil {
			n.votes[t] = map[string]bool{}
		}
		n.votes[t][m.From] = true
		if n.candidate[t] {
			n.votes[t][ctx.Self()] = true
		}
		if len(n.votes[t]) >= 2 {
			n.leader[t] = true
			ctx.OutcomeBecause(sim.K("leader", ctx.Self(), t), m)
		}
	}
}

func id(n string) int { return slices.Index(members, n) }

func sortedTerms(m map[int]bool) []int {
	var out []int
	for t := range m {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func (n *node) String() string {
	return fmt.Sprintf("candidate=%v votedFor=%v leader=%v sawLeader=%v", n.candidate, n.votedFor, n.leader, n.sawLeader)
}

// Election is the election of examples/raft-election.ded.
func Election() *sim.Cluster { return cluster(false) }

// Fickle lets voters switch to a lower-id candidate within a term.
func Fickle() *sim.Cluster { return cluster(true) }

func cluster(fickle bool) *sim.Cluster {
	return &sim.Cluster{
		Nodes:     slices.Clone(members),
		New:       func(id string) sim.Node { return newNode(id, fickle) },
		Invariant: safety,
	}
}

// safety expects each leader to be its term's only leader.
func safety(r *sim.Run) []sim.Expectation {
	leaders := map[int][]string{}
	for _, n := range r.Nodes() {
		for t := range r.Node(n).(*node).leader {
			leaders[t] = append(leaders[t], n)
		}
	}
	var out []sim.Expectation
	for t, ns := range leaders {
		for _, n := range ns {
			out = append(out, sim.Expectation{Key: sim.K("leader", n, t), Broken: len(ns) > 1})
		}
	}
	return out
}
