package hypothesis

import (
	"fmt"
	"math/rand/v2"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// relaySupport is a synthetic support shaped like the lineage of a relay
// broadcast: node n00 has the value from time 1; every other node v hears
// from `peers` fixed random nodes, and has the value at t if it had it at
// t−1 (local state) or some peer u had it at t−1 and the send u->v@(t−1)
// arrived. The outcomes are "v has the value at EOT" for `outcomes` nodes.
// The graph has about nodes·eot·(2·peers+1) nodes and nodes·eot·peers
// events.
func relaySupport(nodes, eot, peers, outcomes int, seed uint64) (*lineage.Support, fault.Params) {
	r := rand.New(rand.NewPCG(seed, 1))
	names := make([]string, nodes)
	for i := range names {
		names[i] = fmt.Sprintf("n%02d", i)
	}
	from := make([][]int, nodes)
	for v := 1; v < nodes; v++ {
		for _, u := range r.Perm(nodes)[:peers+1] {
			if u != v && len(from[v]) < peers {
				from[v] = append(from[v], u)
			}
		}
	}
	var g lineage.Graph
	add := func(n lineage.Node) lineage.NodeID {
		g.Nodes = append(g.Nodes, n)
		return lineage.NodeID(len(g.Nodes) - 1)
	}
	tru := add(lineage.Node{Kind: lineage.True})
	have := make([]lineage.NodeID, nodes) // at the previous time; -1: not yet
	for v := range have {
		have[v] = -1
	}
	have[0] = tru
	for t := 2; t <= eot; t++ {
		next := make([]lineage.NodeID, nodes)
		next[0] = tru
		for v := 1; v < nodes; v++ {
			var alts []lineage.NodeID
			if have[v] >= 0 {
				alts = append(alts, have[v])
			}
			for _, u := range from[v] {
				if have[u] < 0 {
					continue
				}
				send := add(lineage.Node{Kind: lineage.Send, Event: lineage.Event{From: names[u], To: names[v], Time: t - 1}})
				if have[u] == tru {
					alts = append(alts, send)
				} else {
					alts = append(alts, add(lineage.Node{Kind: lineage.And, Children: []lineage.NodeID{send, have[u]}}))
				}
			}
			switch len(alts) {
			case 0:
				next[v] = -1
			case 1:
				next[v] = alts[0]
			default:
				next[v] = add(lineage.Node{Kind: lineage.Or, Children: alts})
			}
		}
		have = next
	}
	sup := &lineage.Support{Graph: g}
	for v := 1; v < nodes && len(sup.Outcomes) < outcomes; v++ {
		if have[v] >= 0 {
			sup.Outcomes = append(sup.Outcomes, lineage.Outcome{Tuple: fmt.Sprintf("post(%s)", names[v]), Root: have[v]})
		}
	}
	return sup, fault.Params{Nodes: names, EOT: eot, EFF: 3, MaxCrashes: 1}
}

func countEvents(s *lineage.Support) int {
	n := 0
	for _, x := range s.Graph.Nodes {
		if x.Kind == lineage.Send {
			n++
		}
	}
	return n
}

// wideSupport: one outcome, the Or of alts Ands of width sends each, all on
// distinct channels or times, crash budget 0.
func wideSupport(alts, width int) (*lineage.Support, fault.Params) {
	var nodes []string
	for i := range width + 1 {
		nodes = append(nodes, fmt.Sprintf("n%d", i))
	}
	var g lineage.Graph
	var ands []lineage.NodeID
	for a := range alts {
		var sends []lineage.NodeID
		for w := range width {
			g.Nodes = append(g.Nodes, lineage.Node{Kind: lineage.Send, Event: lineage.Event{From: nodes[w+1], To: nodes[0], Time: a + 1}})
			sends = append(sends, lineage.NodeID(len(g.Nodes)-1))
		}
		g.Nodes = append(g.Nodes, lineage.Node{Kind: lineage.And, Children: sends})
		ands = append(ands, lineage.NodeID(len(g.Nodes)-1))
	}
	g.Nodes = append(g.Nodes, lineage.Node{Kind: lineage.Or, Children: ands})
	sup := &lineage.Support{Graph: g, Outcomes: []lineage.Outcome{{Tuple: "post(n0)", Root: lineage.NodeID(len(g.Nodes) - 1)}}}
	return sup, fault.Params{Nodes: nodes, EOT: alts + 1, EFF: alts + 1, MaxCrashes: 0}
}
