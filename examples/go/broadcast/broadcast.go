// Package broadcast is best-effort and retrying broadcast as Go nodes, the
// twins of examples/simple-deliv.ded and examples/retry-deliv.ded: node a
// delivers "hello" itself and sends it to b and c, once (best effort) or
// at every step (retrying); a receiver delivers what it receives and never
// relays. Invariant (agreement): if a node that did not crash delivered,
// every node that did not crash delivered by EOT.
package broadcast

import "github.com/ldfi/ldfi/sim"

// Payload is the broadcast message.
type Payload struct{ Text string }

func (p Payload) String() string { return "payload(" + p.Text + ")" }

type node struct {
	retry     bool
	delivered bool
}

func (n *node) Start(ctx *sim.Context) {
	if ctx.Self() == "a" {
		n.delivered = true
		ctx.Outcome("delivered", ctx.Self(), "hello")
		n.send(ctx)
	}
}

func (n *node) send(ctx *sim.Context) {
	for _, p := range ctx.Peers() {
		ctx.Send(p, Payload{"hello"})
	}
}

func (n *node) Receive(ctx *sim.Context, m sim.Message) {
	if p, ok := m.Body.(Payload); ok {
		n.delivered = true
		// Delivered because of this very message (each copy is one more
		// way the outcome holds).
		ctx.OutcomeBecause(sim.K("delivered", ctx.Self(), p.Text), m)
	}
}

func (n *node) Tick(ctx *sim.Context) {
	if n.retry && ctx.Self() == "a" && ctx.Now() > 1 {
		n.send(ctx)
	}
}

func (n *node) String() string {
	if n.delivered {
		return "delivered"
	}
	return "-"
}

// BestEffort is best-effort broadcast: a single lost message is a bug.
func BestEffort() *sim.Cluster { return cluster(false) }

// Retrying is retrying broadcast: it survives lost messages, not a crash of
// the sender after a loss.
func Retrying() *sim.Cluster { return cluster(true) }

func cluster(retry bool) *sim.Cluster {
	return &sim.Cluster{
		Nodes:           []string{"a", "b", "c"},
		New:             func(string) sim.Node { return &node{retry: retry} },
		Invariant:       agreement,
		Interchangeable: [][]string{{"b", "c"}},
	}
}

// agreement expects every live node to deliver once a live node did,
// because the other live nodes did (their lineage orders the search).
func agreement(r *sim.Run) []sim.Expectation {
	var live []string
	for _, n := range r.Nodes() {
		if !r.Crashed(n) && r.Node(n).(*node).delivered {
			live = append(live, n)
		}
	}
	if len(live) == 0 {
		return nil
	}
	var out []sim.Expectation
	for _, n := range r.Nodes() {
		if r.Crashed(n) {
			continue
		}
		var because []sim.Key
		for _, m := range live {
			if m != n {
				because = append(because, sim.K("delivered", m, "hello"))
			}
		}
		out = append(out, sim.Expectation{Key: sim.K("delivered", n, "hello"), Because: because})
	}
	return out
}
