package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// stView is the spacetime diagram of one run, as data: the page draws it
// (one lane per node, time downwards) and spacetimeDOT prints it.
type stView struct {
	Lanes   []string    `json:"lanes"`
	EOT     int         `json:"eot"`
	Arrows  []arrowView `json:"arrows"`
	Crashes []crashView `json:"crashes"`
	// SelfSends counts messages nodes sent to themselves (never lost, not drawn).
	SelfSends int `json:"self_sends"`
	// Partitions of the schedule (absent without).
	Partitions []partitionView `json:"partitions,omitempty"`
}

// arrowView is every message on one channel at one send time (an omission,
// a crash, a partition, a delay or a duplicate treats them all alike).
type arrowView struct {
	From   int      `json:"from"` // lane index
	To     int      `json:"to"`
	T      int      `json:"t"`      // send time; delivery at T+1+Delay
	Status string   `json:"status"` // delivered, lost-omission, lost-crash, lost-partition or after-eot
	Msgs   []string `json:"msgs"`   // the messages' tuples, e.g. log("b","x")
	// Delay: the (first) copy arrives at T+1+Delay; Dup, when set, a second
	// copy at T+1+Dup. Absent on time and without a duplicate.
	Delay int `json:"delay,omitempty"`
	Dup   int `json:"dup,omitempty"`
}

type crashView struct {
	Lane int `json:"lane"`
	T    int `json:"t"`
}

// partitionView is a partition over the lanes: the messages sent at
// From..To between the two groups (lane indexes) are lost.
type partitionView struct {
	Groups [2][]int `json:"groups"`
	From   int      `json:"from"`
	To     int      `json:"to"`
	// Cut is the lane where the second group starts when each group is
	// contiguous in the lane order (the cut is drawn between Cut-1 and
	// Cut); 0 when the groups interleave.
	Cut   int    `json:"cut"`
	Label string `json:"label"` // e.g. "{a,b} | {c}"
}

func statusName(s eval.MessageStatus) string {
	switch s {
	case eval.LostOmission:
		return "lost-omission"
	case eval.LostCrash:
		return "lost-crash"
	case eval.LostPartition:
		return "lost-partition"
	case eval.AfterEOT:
		return "after-eot"
	}
	return "delivered"
}

// newSpacetime builds the spacetime view of a run.
func newSpacetime(r *eval.Result) *stView {
	return spacetimeOf(r.Params(), r.Schedule(), r.Messages())
}

// spacetimeOf builds the spacetime view of the messages of a run under p
// and s: lanes in --nodes order, then other message receivers by name.
func spacetimeOf(p fault.Params, s fault.Schedule, msgs []eval.Message) *stView {
	v := &stView{Lanes: spacetimeNodes(p.Nodes, msgs), EOT: p.EOT, Arrows: []arrowView{}, Crashes: []crashView{}}
	lane := func(n string) int { return slices.Index(v.Lanes, n) }
	for _, m := range msgs {
		if m.From == m.To {
			v.SelfSends++
			continue
		}
		from, to := lane(m.From), lane(m.To)
		if from < 0 {
			continue // a sender outside the node set never acts
		}
		atom := eval.Tuple{Rel: m.Rel, Args: m.Args}.Atom()
		if k := len(v.Arrows) - 1; k >= 0 && v.Arrows[k].From == from && v.Arrows[k].To == to && v.Arrows[k].T == m.SendTime {
			v.Arrows[k].Msgs = append(v.Arrows[k].Msgs, atom)
			continue
		}
		a := arrowView{From: from, To: to, T: m.SendTime, Status: statusName(m.Status), Msgs: []string{atom}}
		if !m.Lost() {
			a.Delay, a.Dup = m.Delay, m.Dup
		}
		v.Arrows = append(v.Arrows, a)
	}
	c := s.Canonical()
	for _, x := range c.Crashes {
		if l := lane(x.Node); l >= 0 {
			v.Crashes = append(v.Crashes, crashView{Lane: l, T: x.Time})
		}
	}
	for _, x := range c.Partitions {
		v.Partitions = append(v.Partitions, v.partition(x))
	}
	return v
}

// partition places a partition on the lanes.
func (v *stView) partition(x fault.Partition) partitionView {
	pv := partitionView{From: x.From, To: x.To, Label: splitText(x), Groups: [2][]int{{}, {}}}
	side := make([]int, len(v.Lanes)) // 0: in neither group
	for g := range x.Groups {
		for _, n := range x.Groups[g] {
			if l := slices.Index(v.Lanes, n); l >= 0 {
				pv.Groups[g] = append(pv.Groups[g], l)
				side[l] = g + 1
			}
		}
		slices.Sort(pv.Groups[g])
	}
	// Contiguous: the sides met in lane order change exactly once.
	changes, last := 0, 0
	for l, sd := range side {
		if sd == 0 {
			continue
		}
		if last != 0 && sd != last {
			changes++
			pv.Cut = l
		}
		last = sd
	}
	if changes != 1 {
		pv.Cut = 0
	}
	return pv
}

// arrivals are the times the copies of a's messages arrive, first copy
// first (after EOT included): [T+1+Delay] or [T+1+Delay, T+1+Dup].
func (a arrowView) arrivals() []int {
	out := []int{a.T + 1 + a.Delay}
	if a.Dup > 0 {
		out = append(out, a.T+1+a.Dup)
	}
	return out
}

func (a arrowView) lost() bool { return strings.HasPrefix(a.Status, "lost-") }

// lastRow is the last time row a spacetime diagram draws: EOT, or EOT+1
// ("after EOT") when a message arrives later.
func (v *stView) lastRow() int {
	last := v.EOT
	for _, a := range v.Arrows {
		for _, at := range a.arrivals() {
			last = max(last, min(at, v.EOT+1))
		}
	}
	return last
}

// arrowTip is the hover text of an arrow.
func (v *stView) arrowTip(a arrowView) string {
	return fmt.Sprintf("%s→%s sent at %d, %s\n%s", v.Lanes[a.From], v.Lanes[a.To], a.T, v.fate(a), strings.Join(a.Msgs, "\n"))
}

// fate says what became of an arrow's messages (page.js's fate says the
// same).
func (v *stView) fate(a arrowView) string {
	switch a.Status {
	case "lost-omission":
		return "LOST (omission)"
	case "lost-crash":
		return "LOST (sender crashed)"
	case "lost-partition":
		return "LOST (partition)"
	}
	at := func(t int) string {
		if t > v.EOT {
			return "arrives after EOT"
		}
		return fmt.Sprintf("delivered at %d", t)
	}
	s := at(a.T + 1 + a.Delay)
	if a.Delay > 0 {
		s += fmt.Sprintf(" (late +%d)", a.Delay)
	}
	if a.Dup > 0 {
		s += fmt.Sprintf("; duplicated: again %s", strings.TrimPrefix(at(a.T+1+a.Dup), "delivered "))
	}
	return s
}

// dot prints the spacetime diagram in Graphviz DOT: a point per node and
// timestep (pinned with pos for `neato -n`; dot's ranks give the same
// grid), lanes as gray chains, messages as edges between them.
func (v *stView) dot(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n", oneLine(title))
	b.WriteString("digraph spacetime {\n")
	fmt.Fprintf(&b, "  graph [label=%s, labelloc=t, fontname=\"Helvetica\", fontsize=10, newrank=true, nodesep=1.2, ranksep=0.6, splines=line];\n", dotQuote(title))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, shape=point, width=0.06];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.6];\n")
	last := v.lastRow()
	pt := func(l, t int) string { return fmt.Sprintf("p%d_%d", l, t) }
	for l, name := range v.Lanes {
		fmt.Fprintf(&b, "  h%d [shape=plaintext, label=%s, pos=\"%d,0!\"];\n", l, dotQuote(name), l*100)
		crash := 0
		for _, c := range v.Crashes {
			if c.Lane == l {
				crash = c.T
			}
		}
		for t := 1; t <= last; t++ {
			attrs := fmt.Sprintf("pos=\"%d,%d!\"", l*100, -t*60)
			if t == crash {
				attrs += fmt.Sprintf(", shape=circle, fixedsize=true, label=\"X\", fontcolor=red, color=red, penwidth=2, width=0.25, xlabel=\"crash\", tooltip=%s", dotQuote(fmt.Sprintf("%s crashed at %d: sends nothing from now on", name, t)))
			}
			fmt.Fprintf(&b, "  %s [%s];\n", pt(l, t), attrs)
		}
		fmt.Fprintf(&b, "  h%d -> %s [style=invis];\n", l, pt(l, 1))
		for t := 1; t < last; t++ {
			style := "color=gray70, arrowhead=none, weight=100"
			if crash > 0 && t >= crash {
				style += ", style=dashed"
			}
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", pt(l, t), pt(l, t+1), style)
		}
	}
	for t := 1; t <= last; t++ {
		b.WriteString("  {rank=same;")
		for l := range v.Lanes {
			fmt.Fprintf(&b, " %s;", pt(l, t))
		}
		b.WriteString("}\n")
	}
	for _, a := range v.Arrows {
		v.dotArrow(&b, a, pt)
	}
	for i, x := range v.Partitions {
		// Graphviz has no band under pinned points: a note beside the
		// lanes at the partition's first send time says what is cut.
		text := fmt.Sprintf("partition %s\nsent %s: cut", x.Label, intervalText(fault.Partition{From: x.From, To: x.To}))
		fmt.Fprintf(&b, "  part%d [shape=note, color=red, fontcolor=red, label=%s, pos=\"%d,%d!\"];\n", i, dotQuote(text), len(v.Lanes)*100, -x.From*60)
	}
	b.WriteString("}\n")
	return b.String()
}

// dotArrow prints the edges of an arrow: to the first copy's arrival
// (after EOT: to the row after EOT) and, for a duplicate, to the second's.
func (v *stView) dotArrow(b *strings.Builder, a arrowView, pt func(l, t int) string) {
	label := strings.Join(a.Msgs, "\n")
	if a.Delay > 0 {
		label += fmt.Sprintf("\n+%d", a.Delay)
	}
	attrs := []string{"constraint=false", "label=" + dotQuote(label), "tooltip=" + dotQuote(v.arrowTip(a))}
	switch {
	case a.lost():
		attrs = append(attrs, "color=red", "fontcolor=red", "style=dashed", "arrowhead=tee")
	case a.Status == "after-eot" || a.T+1+a.Delay > v.EOT:
		attrs = append(attrs, "color=gray60", "fontcolor=gray50", "style=dotted")
	}
	fmt.Fprintf(b, "  %s -> %s [%s];\n", pt(a.From, a.T), pt(a.To, min(a.T+1+a.Delay, v.EOT+1)), strings.Join(attrs, ", "))
	if a.Dup == 0 || a.lost() {
		return
	}
	at := a.T + 1 + a.Dup
	attrs = []string{"constraint=false", "label=" + dotQuote(fmt.Sprintf("dup +%d", a.Dup)), "tooltip=" + dotQuote(v.arrowTip(a)), "style=dashed"}
	if at > v.EOT {
		attrs = append(attrs, "color=gray60", "fontcolor=gray50", "style=dotted")
	}
	fmt.Fprintf(b, "  %s -> %s [%s];\n", pt(a.From, a.T), pt(a.To, min(at, v.EOT+1)), strings.Join(attrs, ", "))
}
