package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// MaxLineageTuples caps the tuples drawn in one lineage graph; deeper
// tuples are drawn unexpanded (dashed) and the graph says it is truncated.
const MaxLineageTuples = 200

// lgraph is the lineage graph of one good outcome in the fault-free run: a
// DAG of tuple nodes and derivation (rule firing) nodes, body tuples above
// the firings that used them, firings above the tuple they produced. Node
// names are generated ("t0", "d3") and never contain user text.
type lgraph struct {
	outcome   string // the outcome's atom, e.g. post("b","x")
	nodes     []lnode
	edges     []ledge
	truncated bool
}

type lnode struct {
	name  string
	deriv bool
	// For tuple nodes.
	tuple    eval.Tuple
	leaf     string // "fact" or "builtin" for leaves
	expanded bool
	// For derivation nodes.
	d    eval.Derivation
	rule *dedalus.Rule
	head int   // index of the tuple node it produced
	body []int // indexes of its body tuple nodes
}

type ledge struct{ from, to int }

// buildLineage walks the derivations of tuple id in the fault-free run free
// breadth-first, numbering nodes in visit order (deterministic).
func buildLineage(free *eval.Result, id eval.TupleID, outcome string) *lgraph {
	g := &lgraph{outcome: outcome}
	prog := free.Program()
	index := map[eval.TupleID]int{}
	ntuples, nderivs := 0, 0
	addTuple := func(t eval.TupleID) int {
		if i, ok := index[t]; ok {
			return i
		}
		i := len(g.nodes)
		index[t] = i
		g.nodes = append(g.nodes, lnode{name: "t" + strconv.Itoa(ntuples), tuple: free.Tuple(t)})
		ntuples++
		return i
	}
	queue := []eval.TupleID{id}
	addTuple(id)
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		ti := index[t]
		ds := free.Derivations(t)
		if len(ds) > 0 && ds[0].Kind != eval.DerivRule {
			g.nodes[ti].leaf = ds[0].Kind.String()
			g.nodes[ti].expanded = true
			continue
		}
		if ntuples > MaxLineageTuples {
			g.truncated = true
			continue
		}
		g.nodes[ti].expanded = true
		for _, d := range ds {
			di := len(g.nodes)
			n := lnode{name: "d" + strconv.Itoa(nderivs), deriv: true, d: d, head: ti}
			if d.Rule >= 0 && d.Rule < len(prog.Rules) {
				n.rule = &prog.Rules[d.Rule]
			}
			nderivs++
			g.nodes = append(g.nodes, n)
			g.edges = append(g.edges, ledge{di, ti})
			for _, b := range d.Body {
				_, seen := index[b]
				bi := addTuple(b)
				g.nodes[di].body = append(g.nodes[di].body, bi)
				g.edges = append(g.edges, ledge{bi, di})
				if !seen {
					queue = append(queue, b)
				}
			}
		}
	}
	return g
}

// derivLabel is the short label of a firing: the message for a delivery,
// otherwise the rule's kind and line.
func (n *lnode) derivLabel() string {
	if s := n.d.Send; s != nil && s.From != s.To {
		return fmt.Sprintf("msg %s→%s @%d", s.From, s.To, s.Time)
	}
	if n.rule == nil {
		return "rule"
	}
	kind := "rule"
	switch n.rule.Kind {
	case dedalus.Next:
		kind = "@next"
	case dedalus.Async:
		kind = "@async"
	}
	return fmt.Sprintf("%s line %d", kind, n.rule.Pos.Line)
}

// tip is the hover text of a node.
func (n *lnode) tip() string {
	if !n.deriv {
		s := n.tuple.String()
		switch {
		case n.leaf != "":
			s += " (" + n.leaf + ")"
		case !n.expanded:
			s += " (not expanded: graph truncated)"
		}
		return s
	}
	var b strings.Builder
	if n.rule != nil {
		fmt.Fprintf(&b, "%s: %s", n.rule.Pos, n.rule.Text)
	}
	if s := n.d.Send; s != nil && s.From != s.To {
		fmt.Fprintf(&b, "\nmessage %s→%s sent at %d", s.From, s.To, s.Time)
	}
	for _, ng := range n.d.Negated {
		fmt.Fprintf(&b, "\nrelied on: %s", ng)
	}
	return b.String()
}

// Status of a lineage graph's nodes in another run.
const (
	cutSend = "send" // the firing's message was lost (the fault itself)
	cutLate = "late" // the firing's message arrived late (the fault itself)
	cutBody = "body" // a tuple it used is missing
	cutNeg  = "neg"  // a tuple it relied on being absent appeared
)

// lstatus is how much of a fault-free lineage graph survives in a run.
type lstatus struct {
	missing []bool   // per node: tuple absent in the run
	cut     []string // per node: "" or a cut reason (derivation nodes): cutSend, ...
}

// statusIn evaluates the graph's nodes in run r (a run of the same program
// under parameters p and schedule s).
func (g *lgraph) statusIn(r *eval.Result, p fault.Params, s fault.Schedule) lstatus {
	st := lstatus{missing: make([]bool, len(g.nodes)), cut: make([]string, len(g.nodes))}
	for i := range g.nodes {
		n := &g.nodes[i]
		if !n.deriv {
			_, ok := r.Find(n.tuple.Rel, n.tuple.Time, n.tuple.Args...)
			st.missing[i] = !ok
		}
	}
	for i := range g.nodes {
		n := &g.nodes[i]
		if !n.deriv {
			continue
		}
		// A delivery fires when its copy arrives: a lost message, or one
		// arriving only later (a delay), cuts it.
		if snd := n.d.Send; snd != nil && !p.Delivers(s, snd.From, snd.To, snd.Time, arrival(snd)) {
			st.cut[i] = cutSend
			if !p.Lost(s, snd.From, snd.To, snd.Time) {
				st.cut[i] = cutLate
			}
			continue
		}
		for _, b := range n.body {
			if st.missing[b] {
				st.cut[i] = cutBody
				break
			}
		}
		if st.cut[i] != "" {
			continue
		}
		for _, ng := range n.d.Negated {
			if negHolds(r, ng) {
				st.cut[i] = cutNeg
				break
			}
		}
	}
	return st
}

// arrival is the time the copy behind a delivery arrived (send time + 1
// when the evaluator does not say: a fault-free run delivers on time).
func arrival(snd *eval.SendEvent) int {
	if snd.At > 0 {
		return snd.At
	}
	return snd.Time + 1
}

// negHolds reports whether some tuple of r matches the negated atom.
func negHolds(r *eval.Result, ng eval.NegAtom) bool {
	for _, id := range r.TuplesAt(ng.Rel, ng.Time) {
		t := r.Tuple(id)
		match := len(t.Args) == len(ng.Args)
		for c := 0; match && c < len(t.Args); c++ {
			if !ng.Wild[c] && t.Args[c] != ng.Args[c] {
				match = false
			}
		}
		if match {
			return true
		}
	}
	return false
}

// dot writes the graph in Graphviz DOT. With st set, missing tuples and
// cut firings are styled (gray, red, dashed) for the run's picture; without
// it the graph is the plain fault-free lineage. class attributes carry the
// node names so the HTML page can restyle the SVG; tips adds hover texts
// (the page sets its own).
func (g *lgraph) dot(title string, st *lstatus, tips bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n", oneLine(title))
	b.WriteString("digraph lineage {\n")
	fmt.Fprintf(&b, "  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=10, nodesep=0.2, ranksep=0.3, label=%s, labelloc=t];\n", dotQuote(title))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded\", height=0.3, margin=\"0.08,0.03\"];\n")
	b.WriteString("  edge [arrowsize=0.6];\n")
	for i := range g.nodes {
		n := &g.nodes[i]
		var attrs []string
		if n.deriv {
			attrs = append(attrs, "label="+dotQuote(n.derivLabel()), "shape=ellipse", "fontsize=9", "height=0.25")
			cls := "deriv " + n.name
			if n.d.Send != nil && n.d.Send.From != n.d.Send.To {
				cls += " send"
				attrs = append(attrs, "style=bold")
			}
			attrs = append(attrs, "class="+dotQuote(cls))
			if st != nil && st.cut[i] != "" {
				attrs = append(attrs, "color=red", "fontcolor=red", "penwidth=2")
				if st.cut[i] != cutSend && st.cut[i] != cutLate {
					attrs = append(attrs, "style=dashed")
				}
			}
		} else {
			attrs = append(attrs, "label="+dotQuote(n.tuple.String()))
			cls := "tuple " + n.name
			if i == 0 {
				cls += " outcome"
				attrs = append(attrs, "penwidth=2")
			}
			if n.leaf != "" {
				cls += " leaf"
				attrs = append(attrs, "shape=note")
			}
			if !n.expanded {
				cls += " unexpanded"
				attrs = append(attrs, "style=\"rounded,dashed\"")
			}
			attrs = append(attrs, "class="+dotQuote(cls))
			if st != nil && st.missing[i] {
				attrs = append(attrs, "color=gray60", "fontcolor=gray50", "style=\"rounded,dashed\"")
			}
		}
		if tips {
			attrs = append(attrs, "tooltip="+dotQuote(n.tip()))
		}
		fmt.Fprintf(&b, "  %s [%s];\n", n.name, strings.Join(attrs, ", "))
	}
	for _, e := range g.edges {
		var attrs []string
		if st != nil {
			from := &g.nodes[e.from]
			if (from.deriv && st.cut[e.from] != "") || (!from.deriv && st.missing[e.from]) {
				attrs = append(attrs, "color=red", "style=dashed")
			}
		}
		if len(attrs) > 0 {
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", g.nodes[e.from].name, g.nodes[e.to].name, strings.Join(attrs, ", "))
		} else {
			fmt.Fprintf(&b, "  %s -> %s;\n", g.nodes[e.from].name, g.nodes[e.to].name)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote quotes s as a DOT string: backslashes and quotes escaped, so
// Graphviz's own escapes (\N, \l, ...) in user text stay literal; newlines
// become DOT's centred line break.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// oneLine makes s safe for a // comment line.
func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
