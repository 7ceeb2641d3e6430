package calm

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// WriteText writes the report for people: the verdict on each outcome,
// the points of order of each order-sensitive one, then every relation
// (message-derived ones with the reasons they are not monotone).
func WriteText(w io.Writer, rep *Report) error {
	var b strings.Builder
	sensitive := 0
	if len(rep.Outcomes) == 0 {
		b.WriteString("outcomes: none (the program has no pre/post; name one with --outcome)\n")
	} else {
		b.WriteString("outcomes:\n")
	}
	width := 0
	for _, o := range rep.Outcomes {
		width = max(width, len(o.Relation))
	}
	for _, o := range rep.Outcomes {
		verdict := "confluent (" + o.Class + ")"
		if !o.Confluent {
			verdict = fmt.Sprintf("order-sensitive (%s)", plural(len(o.Points), "point of order", "points of order"))
			sensitive++
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, o.Relation, verdict)
	}
	for _, o := range rep.Outcomes {
		if o.Confluent {
			continue
		}
		fmt.Fprintf(&b, "\npoints of order of %s:\n", o.Relation)
		for _, p := range o.Points {
			writePoint(&b, p)
		}
	}
	writeRelations(&b, rep.Relations)
	switch {
	case len(rep.Outcomes) == 0:
		b.WriteString("\nverdict: no outcome checked\n")
	case sensitive == 0:
		fmt.Fprintf(&b, "\nverdict: confluent (%s)\n", plural(len(rep.Outcomes), "outcome", "outcomes"))
	default:
		fmt.Fprintf(&b, "\nverdict: order-sensitive (%d of %s)\n", sensitive, plural(len(rep.Outcomes), "outcome", "outcomes"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePoint(b *strings.Builder, p Point) {
	fmt.Fprintf(b, "  %s: %s in %s\n", posText(p.Pos), p.Kind, p.Relation)
	if p.Rule != "" {
		fmt.Fprintf(b, "    rule:  %s\n", p.Rule)
	}
	if p.Reads != "" {
		via := ""
		if len(p.Via) > 1 {
			via = " (messages via " + strings.Join(p.Via, " <- ") + ")"
		} else if len(p.Via) == 1 {
			via = " (a message relation)"
		}
		fmt.Fprintf(b, "    reads: %s%s\n", p.Reads, via)
	}
	fmt.Fprintf(b, "    why:   %s\n", p.Detail)
	fmt.Fprintf(b, "    fix:   %s\n", p.Fix)
}

// writeRelations lists the message-derived relations with their class and
// reasons, then the local ones on one line.
func writeRelations(b *strings.Builder, rels []Relation) {
	width, derived := 0, 0
	var local []string
	for _, r := range rels {
		if r.MessageDerived {
			width = max(width, len(r.Name))
			derived++
		} else {
			local = append(local, r.Name)
		}
	}
	fmt.Fprintf(b, "\nrelations (%d of %d message-derived):\n", derived, len(rels))
	for _, r := range rels {
		if !r.MessageDerived {
			continue
		}
		kept := ""
		if r.Persisted {
			kept = ", persisted"
		}
		fmt.Fprintf(b, "  %-*s  %s%s\n", width, r.Name, r.Class, kept)
		for _, p := range r.Reasons {
			what := p.Reads
			if what == "" {
				what = "not carried forward"
			}
			fmt.Fprintf(b, "  %-*s    %s: %s: %s\n", width, "", posText(p.Pos), p.Kind, what)
		}
	}
	if len(local) > 0 {
		fmt.Fprintf(b, "  local (no message reaches them): %s\n", strings.Join(local, ", "))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
