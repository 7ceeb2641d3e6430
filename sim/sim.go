package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
)

// Node is one process of a cluster, written as ordinary Go. The runtime
// calls it from one goroutine, step by step; it must not touch real time,
// goroutines, randomness or the network, and must send only through its
// Context, so that the same schedule gives the same run.
//
// At step 1 the runtime calls Start; at every step t (1..EOT) it then calls
// Receive once per message arriving at t, and Tick once. What a node sends
// during step t is sent at t and arrives at t+1 unless the fault schedule
// says otherwise.
type Node interface {
	Start(ctx *Context)
	Receive(ctx *Context, m Message)
	Tick(ctx *Context)
}

// Message is a message as its receiver sees it.
type Message struct {
	From, To string
	// Sent is the send time; the message arrives at Sent+1 unless a fault
	// delays it (Context.Now at Receive says when it did).
	Sent int
	// Body is the value the sender passed to Send.
	Body any
	// past is the sender's causal past at the send, with this send (nil
	// when the run records no lineage).
	past *past
}

// Cluster is a protocol under test: its nodes, how to build them, and its
// invariant.
type Cluster struct {
	// Nodes are the node names, in the order the runtime steps them.
	Nodes []string
	// New builds node id in its initial state; it is called once per node
	// and run, so that runs share no state.
	New func(id string) Node
	// Invariant lists what the finished run requires (sim's pre/post): each
	// Expectation's outcome must hold at EOT.
	Invariant func(r *Run) []Expectation
	// Interchangeable declares classes of nodes that no code tells apart
	// (renaming them within a class renames the run): the search then runs
	// one schedule per class of symmetric schedules (search.Config.Symmetry).
	// The declaration is trusted, not checked.
	Interchangeable [][]string
}

// Expectation is one obligation of the invariant on a finished run (a pre
// tuple of Dedalus): the outcome Key must hold at EOT, that is, some node
// declared it (Context.Outcome) and Broken is false.
type Expectation struct {
	Key Key
	// Because lists declared outcomes that made Key expected (the
	// precondition). Optional: their lineage only orders the search's
	// hypotheses (those that keep the precondition run first).
	Because []Key
	// Broken fails the expectation although Key was declared: for
	// properties beyond "it happened", such as "the only leader of its
	// term" (Dedalus's post :- leader, notin conflict).
	Broken bool
}

// Key names an outcome: a name and arguments (strings or integers), printed
// like a Dedalus atom, e.g. delivered("b","hello"). String arguments that
// name nodes are renamed by symmetry.
type Key struct {
	name string
	args []dedalus.Value
	text string
}

// K returns the key name(args...). Integer arguments (int, int8..int64,
// uint8..uint32) stay integers; strings stay strings; any other value is
// formatted with %v into a string.
func K(name string, args ...any) Key {
	k := Key{name: name, args: make([]dedalus.Value, len(args))}
	for i, a := range args {
		k.args[i] = value(a)
	}
	k.text = eval.Tuple{Rel: name, Args: k.args}.Atom()
	return k
}

func value(a any) dedalus.Value {
	switch v := a.(type) {
	case string:
		return dedalus.Value{Type: dedalus.TypeString, Str: v}
	case int:
		return dedalus.Value{Type: dedalus.TypeInt, Int: int64(v)}
	case int8:
		return dedalus.Value{Type: dedalus.TypeInt, Int: int64(v)}
	case int16:
		return dedalus.Value{Type: dedalus.TypeInt, Int: int64(v)}
	case int32:
		return dedalus.Value{Type: dedalus.TypeInt, Int: int64(v)}
	case int64:
		return dedalus.Value{Type: dedalus.TypeInt, Int: v}
	case uint8:
		return dedalus.Value{Type: dedalus.TypeInt, Int: int64(v)}
	case uint16:
		return dedalus.Value{Type: dedalus.TypeInt, Int: int64(v)}
	case uint32:
		return dedalus.Value{Type: dedalus.TypeInt, Int: int64(v)}
	}
	return dedalus.Value{Type: dedalus.TypeString, Str: fmt.Sprint(a)}
}

// Name is the key's name.
func (k Key) Name() string { return k.name }

// String prints the key, e.g. leader("a",1).
func (k Key) String() string { return k.text }

// Tuple is the key as the search sees an outcome: a tuple at time t.
func (k Key) Tuple(t int) eval.Tuple {
	return eval.Tuple{Rel: k.name, Time: t, Args: slices.Clone(k.args)}
}

// Declaration is an outcome declared by a node during a run.
type Declaration struct {
	Key  Key
	Node string
	Time int
	past *past
}

// Context is a node's handle on the runtime during one call.
type Context struct {
	r    *runner
	node int
}

// Self is the node's name.
func (c *Context) Self() string { return c.r.names[c.node] }

// Now is the current step (1..EOT).
func (c *Context) Now() int { return c.r.now }

// Nodes lists every node of the cluster, in cluster order (a fresh slice).
func (c *Context) Nodes() []string { return slices.Clone(c.r.names) }

// Peers lists the other nodes, in cluster order (a fresh slice).
func (c *Context) Peers() []string {
	var out []string
	for i, n := range c.r.names {
		if i != c.node {
			out = append(out, n)
		}
	}
	return out
}

// Send sends body to node to. The message carries the sender's causal past:
// every message the sender has received so far (and, recursively, theirs).
func (c *Context) Send(to string, body any) {
	c.r.send(c.node, to, body, c.r.pasts[c.node], false)
}

// SendBecause sends body to node to, saying that it depends only on the
// given received messages (and their causal past), not on everything the
// sender has received: a narrower lineage, so fewer hypotheses to try.
// Narrowing wrongly can only make the search miss a bug, never invent one.
func (c *Context) SendBecause(to string, body any, because ...Message) {
	c.r.send(c.node, to, body, c.r.because(because), true)
}

// Outcome declares that outcome name(args...) holds (see K), with the
// node's causal past as its support. Declaring it again (at another step,
// or at another node) adds another way it holds.
func (c *Context) Outcome(name string, args ...any) {
	c.r.declare(c.node, K(name, args...), c.r.pasts[c.node])
}

// OutcomeBecause declares outcome k with the support of the given received
// messages only (see SendBecause).
func (c *Context) OutcomeBecause(k Key, because ...Message) {
	c.r.declare(c.node, k, c.r.because(because))
}

// describe prints a message body on one line: its String method when it has
// one, %+v otherwise.
func describe(body any) string {
	var s string
	if st, ok := body.(fmt.Stringer); ok {
		s = st.String()
	} else {
		s = fmt.Sprintf("%+v", body)
	}
	if strings.ContainsAny(s, "\n\r") {
		s = strconv.Quote(s)
	}
	return s
}
