// Package primarybackup is synchronous primary/backup replication as Go
// nodes, the twin of examples/primary-backup.ded: the client C sends write
// w1 to the primary p, which stores it and resends it to each backup (b,
// c) at every step until that backup acknowledges; once every backup has,
// p acknowledges the client (at every step from then on). Invariant
// (durability): once the client holds an acknowledgement, every replica
// that did not crash stores the write by EOT.
//
// The broken twin (EarlyAck) acknowledges the client as soon as the
// primary stores the write: a lost forward and a crash of the primary
// leave an acknowledged write on one replica.
package primarybackup

import (
	"fmt"

	"github.com/ldfi/ldfi/sim"
)

// The messages.
type (
	Write   struct{ W string }
	Forward struct{ W string }
	Back    struct{ W string }
	Ack     struct{ W string }
)

func (m Write) String() string   { return "req(" + m.W + ")" }
func (m Forward) String() string { return "fwd(" + m.W + ")" }
func (m Back) String() string    { return "back(" + m.W + ")" }
func (m Ack) String() string     { return "ack(" + m.W + ")" }

var backups = []string{"b", "c"}

type node struct {
	early  bool
	stored string
	origin string          // the client, at the primary
	backed map[string]bool // backups that acknowledged, at the primary
	acked  bool            // at the client
	req    sim.Message     // the client's request, at the primary
}

func (n *node) Start(ctx *sim.Context) {
	if ctx.Self() == "C" {
		ctx.Send("p", Write{"w1"})
	}
}

func (n *node) Receive(ctx *sim.Context, m sim.Message) {
	switch b := m.Body.(type) {
	case Write:
		n.stored, n.origin, n.req = b.W, m.From, m
		ctx.OutcomeBecause(sim.K("stored", ctx.Self(), b.W), m)
	case Forward:
		n.stored = b.W
		ctx.OutcomeBecause(sim.K("stored", ctx.Self(), b.W), m)
		ctx.SendBecause(m.From, Back{b.W}, m)
	case Back:
		n.backed[m.From] = true
	case Ack:
		n.acked = true
		ctx.OutcomeBecause(sim.K("acked", ctx.Self(), b.W), m)
	}
}

// Tick at the primary: forward to the backups that have not acknowledged,
// and acknowledge the client once all have (or at once, early).
func (n *node) Tick(ctx *sim.Context) {
	if ctx.Self() != "p" || n.stored == "" {
		return
	}
	done := true
	for _, b := range backups {
		if !n.backed[b] {
			done = false
			ctx.SendBecause(b, Forward{n.stored}, n.req)
		}
	}
	if done || n.early {
		ctx.Send(n.origin, Ack{n.stored})
	}
}

func (n *node) String() string {
	return fmt.Sprintf("stored=%q acked=%v backed=%v", n.stored, n.acked, n.backed)
}

// Synchronous is primary/backup replication as in
// examples/primary-backup.ded.
func Synchronous() *sim.Cluster { return cluster(false) }

// EarlyAck acknowledges the client before the backups store the write.
func EarlyAck() *sim.Cluster { return cluster(true) }

func cluster(early bool) *sim.Cluster {
	return &sim.Cluster{
		Nodes:           []string{"C", "p", "b", "c"},
		New:             func(string) sim.Node { return &node{early: early, backed: map[string]bool{}} },
		Invariant:       durability,
		Interchangeable: [][]string{backups},
	}
}

// durability expects every live replica to store w1 once the client holds
// an acknowledgement (the acknowledgement's lineage is the precondition).
func durability(r *sim.Run) []sim.Expectation {
	if !r.Node("C").(*node).acked {
		return nil
	}
	var out []sim.Expectation
	for _, n := range r.Nodes() {
		if n != "C" && !r.Crashed(n) {
			out = append(out, sim.Expectation{Key: sim.K("stored", n, "w1"), Because: []sim.Key{sim.K("acked", "C", "w1")}})
		}
	}
	return out
}
