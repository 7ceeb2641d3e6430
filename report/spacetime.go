package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/eval"
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
}

// arrowView is every message on one channel at one send time (an omission
// or a crash loses them all together).
type arrowView struct {
	From   int      `json:"from"` // lane index
	To     int      `json:"to"`
	T      int      `json:"t"`      // send time; delivery at T+1
	Status string   `json:"status"` // delivered, lost-omission, lost-crash or after-eot
	Msgs   []string `json:"msgs"`   // the messages' tuples, e.g. log("b","x")
}

type crashView struct {
	Lane int `json:"lane"`
	T    int `json:"t"`
}

func statusName(s eval.MessageStatus) string {
	switch s {
	case eval.LostOmission:
		return "lost-omission"
	case eval.LostCrash:
		return "lost-crash"
	case eval.AfterEOT:
		return "after-eot"
	}
	return "delivered"
}

// newSpacetime builds the spacetime view of a run: lanes in --nodes order,
// then other message receivers by name.
func newSpacetime(r *eval.Result) *stView {
	p := r.Params()
	v := &stView{Lanes: slices.Clone(p.Nodes), EOT: p.EOT, Arrows: []arrowView{}, Crashes: []crashView{}}
	msgs := r.Messages()
	var others []string
	for _, m := range msgs {
		if !slices.Contains(v.Lanes, m.To) && !slices.Contains(others, m.To) {
			others = append(others, m.To)
		}
	}
	slices.Sort(others)
	v.Lanes = append(v.Lanes, others...)
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
		v.Arrows = append(v.Arrows, arrowView{From: from, To: to, T: m.SendTime, Status: statusName(m.Status), Msgs: []string{atom}})
	}
	for _, c := range r.Schedule().Canonical().Crashes {
		if l := lane(c.Node); l >= 0 {
			v.Crashes = append(v.Crashes, crashView{Lane: l, T: c.Time})
		}
	}
	return v
}

// arrowTip is the hover text of an arrow.
func (v *stView) arrowTip(a arrowView) string {
	fate := map[string]string{
		"delivered":     fmt.Sprintf("delivered at %d", a.T+1),
		"lost-omission": "LOST (omission)",
		"lost-crash":    "LOST (sender crashed)",
		"after-eot":     "arrives after EOT",
	}[a.Status]
	return fmt.Sprintf("%s→%s sent at %d, %s\n%s", v.Lanes[a.From], v.Lanes[a.To], a.T, fate, strings.Join(a.Msgs, "\n"))
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
	last := v.EOT
	for _, a := range v.Arrows {
		last = max(last, a.T+1)
	}
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
		to := a.T + 1
		attrs := []string{"constraint=false", "label=" + dotQuote(strings.Join(a.Msgs, "\n")), "tooltip=" + dotQuote(v.arrowTip(a))}
		switch a.Status {
		case "lost-omission", "lost-crash":
			attrs = append(attrs, "color=red", "fontcolor=red", "style=dashed", "arrowhead=tee")
		case "after-eot":
			attrs = append(attrs, "color=gray60", "fontcolor=gray50", "style=dotted")
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", pt(a.From, a.T), pt(a.To, to), strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	return b.String()
}
