package sim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/fault"
)

// ParseSchedule parses a schedule in the form fault.Schedule.String prints,
// e.g. "omit(a->b@1) crash(C@2)", "delay(a->b@1+2) dup(a->c@1+1)",
// "partition(a,b|c@2-3)"; "" and "no faults" are the empty schedule. It
// checks the syntax only: fault.Params.ValidateSchedule checks the bounds.
func ParseSchedule(text string) (fault.Schedule, error) {
	var s fault.Schedule
	text = strings.TrimSpace(text)
	if text == "" || text == "no faults" {
		return s, nil
	}
	for _, f := range strings.Fields(text) {
		open := strings.IndexByte(f, '(')
		if open < 0 || !strings.HasSuffix(f, ")") {
			return s, fmt.Errorf("%w: %q: want kind(...), e.g. omit(a->b@1)", fault.ErrSyntax, f)
		}
		kind, body := f[:open], f[open+1:len(f)-1]
		if err := parseFault(&s, kind, body); err != nil {
			return s, fmt.Errorf("%w: %q: %s", fault.ErrSyntax, f, err)
		}
	}
	return s, nil
}

func parseFault(s *fault.Schedule, kind, body string) error {
	switch kind {
	case "omit":
		from, to, t, err := parseChannel(body)
		s.Omissions = append(s.Omissions, fault.Omission{From: from, To: to, Time: t})
		return err
	case "crash":
		node, at, ok := strings.Cut(body, "@")
		t, err := strconv.Atoi(at)
		if !ok || node == "" || err != nil {
			return fmt.Errorf("want crash(node@time)")
		}
		s.Crashes = append(s.Crashes, fault.Crash{Node: node, Time: t})
	case "delay", "dup":
		ch, by, ok := cutLast(body, "+")
		d, err := strconv.Atoi(by)
		if !ok || err != nil {
			return fmt.Errorf("want %s(from->to@time+steps)", kind)
		}
		from, to, t, err := parseChannel(ch)
		if kind == "delay" {
			s.Delays = append(s.Delays, fault.Delay{From: from, To: to, Time: t, By: d})
		} else {
			s.Duplicates = append(s.Duplicates, fault.Duplicate{From: from, To: to, Time: t, By: d})
		}
		return err
	case "partition":
		return parsePartition(s, body)
	default:
		return fmt.Errorf("unknown fault kind %q (want omit, crash, delay, dup or partition)", kind)
	}
	return nil
}

// parseChannel parses "from->to@time".
func parseChannel(body string) (from, to string, t int, err error) {
	ch, at, ok := cutLast(body, "@")
	from, to, ok2 := strings.Cut(ch, "->")
	t, err = strconv.Atoi(at)
	if !ok || !ok2 || from == "" || to == "" || err != nil {
		return "", "", 0, fmt.Errorf("want from->to@time")
	}
	return from, to, t, nil
}

// parsePartition parses "a,b|c@t" or "a,b|c@t1-t2".
func parsePartition(s *fault.Schedule, body string) error {
	split, at, ok := cutLast(body, "@")
	g0, g1, ok2 := strings.Cut(split, "|")
	if !ok || !ok2 || g0 == "" || g1 == "" {
		return fmt.Errorf("want partition(a,b|c@from-to)")
	}
	lo, hi, ranged := strings.Cut(at, "-")
	if !ranged {
		hi = lo
	}
	from, err1 := strconv.Atoi(lo)
	to, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("want partition(a,b|c@from-to)")
	}
	s.Partitions = append(s.Partitions, fault.Partition{
		Groups: [2][]string{strings.Split(g0, ","), strings.Split(g1, ",")}, From: from, To: to})
	return nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
