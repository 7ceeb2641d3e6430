package sim

// Fixtures shared by the tests: best-effort and retrying broadcast.

import (
	"github.com/ldfi/ldfi/fault"
)

// bcast is best-effort (retry false) or retrying broadcast from node "a".
type bcast struct {
	retry     bool
	delivered bool
}

type payload struct{ P string }

func (n *bcast) Start(ctx *Context) {
	if ctx.Self() == "a" {
		n.delivered = true
		ctx.Outcome("delivered", ctx.Self(), "hello")
		for _, p := range ctx.Peers() {
			ctx.Send(p, payload{"hello"})
		}
	}
}

func (n *bcast) Receive(ctx *Context, m Message) {
	if _, ok := m.Body.(payload); ok {
		n.delivered = true
		// Delivered because of this message: the one it needs.
		ctx.OutcomeBecause(K("delivered", ctx.Self(), "hello"), m)
	}
}

func (n *bcast) Tick(ctx *Context) {
	if n.retry && ctx.Self() == "a" && ctx.Now() > 1 {
		for _, p := range ctx.Peers() {
			ctx.Send(p, payload{"hello"})
		}
	}
}

// agreement: if a node that did not crash delivered, every node that did
// not crash delivered.
func agreement(r *Run) []Expectation {
	some := false
	for _, n := range r.Nodes() {
		if !r.Crashed(n) && r.Node(n).(*bcast).delivered {
			some = true
		}
	}
	var out []Expectation
	for _, n := range r.Nodes() {
		if !some || r.Crashed(n) {
			continue
		}
		// Expected because the other live nodes delivered: their
		// lineage orders the hypotheses.
		var because []Key
		for _, m := range r.Nodes() {
			if m != n && !r.Crashed(m) && r.Node(m).(*bcast).delivered {
				because = append(because, K("delivered", m, "hello"))
			}
		}
		out = append(out, Expectation{Key: K("delivered", n, "hello"), Because: because})
	}
	return out
}

func broadcast(retry bool) *Cluster {
	return &Cluster{
		Nodes:           []string{"a", "b", "c"},
		New:             func(string) Node { return &bcast{retry: retry} },
		Invariant:       agreement,
		Interchangeable: [][]string{{"b", "c"}},
	}
}

func params(eot, eff, crashes int) fault.Params {
	return fault.Params{Nodes: []string{"a", "b", "c"}, EOT: eot, EFF: eff, MaxCrashes: crashes}
}
