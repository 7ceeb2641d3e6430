package sim

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/fault"
)

// Spacetime writes a compact text spacetime diagram of the run, in the
// layout of ldfi's Dedalus reports: per step, the partitions that start
// then, and per node (cluster order) its crash, the messages it received
// (a late copy or a duplicate's second copy says so), the outcomes it
// declared and the messages it sent with their fate.
func (r *Run) Spacetime(w io.Writer) {
	width := 0
	for _, n := range r.names {
		width = max(width, len(n))
	}
	parts := r.Schedule.Canonical().Partitions
	for t := 1; t <= r.Params.EOT; t++ {
		fmt.Fprintf(w, "  t=%d\n", t)
		quiet := true
		for _, x := range parts {
			if x.From == t {
				fmt.Fprintf(w, "    PARTITION %s: messages sent at %s between the groups are lost\n", splitText(x), intervalText(x))
				quiet = false
			}
		}
		for _, n := range r.names {
			for _, l := range r.linesAt(n, t, width) {
				fmt.Fprintf(w, "    %-*s  %s\n", width, n, l)
				quiet = false
			}
		}
		if quiet {
			fmt.Fprintln(w, "    (no messages)")
		}
	}
}

// linesAt are the spacetime lines of node n at step t.
func (r *Run) linesAt(n string, t, width int) []string {
	var lines []string
	if ct, ok := r.Schedule.CrashTime(n); ok && ct == t {
		lines = append(lines, "CRASH: sends nothing from now on")
	}
	for _, s := range r.Sends {
		if s.To == n && slices.Contains(s.Arrivals, t) {
			lines = append(lines, fmt.Sprintf("<- %-*s %s%s", width, s.From, describe(s.Body), arrivalNote(s, t)))
		}
	}
	for _, d := range r.Declarations {
		if d.Node == n && d.Time == t {
			lines = append(lines, "OUTCOME "+d.Key.String())
		}
	}
	for _, s := range r.Sends {
		if s.From == n && s.Sent == t {
			lines = append(lines, fmt.Sprintf("-> %-*s %s  %s", width, s.To, describe(s.Body), fateText(s, r.Params.EOT)))
		}
	}
	return lines
}

// arrivalNote says, for a copy arriving at t other than on time, which
// copy it is.
func arrivalNote(s Send, t int) string {
	switch {
	case t == s.Sent+1:
		return ""
	case s.Fate.Delay > 0 && t == s.Sent+1+s.Fate.Delay:
		return fmt.Sprintf("  (sent@%d, late +%d)", s.Sent, s.Fate.Delay)
	}
	return fmt.Sprintf("  (sent@%d, duplicate +%d)", s.Sent, s.Fate.Dup)
}

// fateText is what became of a message, e.g. "delivered@2", "LOST
// (omission)", "late +2, delivered@5", "delivered@2, duplicated, again @4".
func fateText(s Send, eot int) string {
	switch s.Fate.Cause {
	case fault.Omitted:
		return "LOST (omission)"
	case fault.Crashed:
		return "LOST (sender crashed)"
	case fault.Partitioned:
		return "LOST (partition)"
	}
	t, f := s.Sent, s.Fate
	var b strings.Builder
	if f.Delay > 0 {
		fmt.Fprintf(&b, "late +%d, ", f.Delay)
	}
	if at := t + 1 + f.Delay; at <= eot {
		b.WriteString("delivered@" + strconv.Itoa(at))
	} else {
		b.WriteString("(arrives after EOT)")
	}
	if f.Dup > 0 {
		fmt.Fprintf(&b, ", duplicated, again @%d", t+1+f.Dup)
		if t+1+f.Dup > eot {
			b.WriteString(" (after EOT)")
		}
	}
	return b.String()
}

func splitText(x fault.Partition) string {
	return "{" + strings.Join(x.Groups[0], ",") + "} | {" + strings.Join(x.Groups[1], ",") + "}"
}

func intervalText(x fault.Partition) string {
	if x.From == x.To {
		return strconv.Itoa(x.From)
	}
	return fmt.Sprintf("%d-%d", x.From, x.To)
}
