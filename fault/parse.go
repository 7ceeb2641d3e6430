package fault

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by every ParseOmission and ParseCrash error.
var ErrSyntax = errors.New("bad fault syntax")

// ParseOmission parses the command-line form "from,to,time" of an omission,
// e.g. "a,b,2" (spaces around the parts are ignored). It checks the syntax
// only; Params.ValidateSchedule checks the omission against the bounds.
func ParseOmission(s string) (Omission, error) {
	parts := splitFields(s)
	if len(parts) != 3 {
		return Omission{}, fmt.Errorf("%w: omission %q: want from,to,time (e.g. a,b,2)", ErrSyntax, s)
	}
	if err := checkNames(s, "omission", parts[:2]); err != nil {
		return Omission{}, err
	}
	t, err := parseTime(s, "omission", parts[2])
	if err != nil {
		return Omission{}, err
	}
	return Omission{From: parts[0], To: parts[1], Time: t}, nil
}

// ParseCrash parses the command-line form "node,time" of a crash, e.g.
// "a,3". It checks the syntax only; Params.ValidateSchedule checks the
// crash against the bounds.
func ParseCrash(s string) (Crash, error) {
	parts := splitFields(s)
	if len(parts) != 2 {
		return Crash{}, fmt.Errorf("%w: crash %q: want node,time (e.g. a,3)", ErrSyntax, s)
	}
	if err := checkNames(s, "crash", parts[:1]); err != nil {
		return Crash{}, err
	}
	t, err := parseTime(s, "crash", parts[1])
	if err != nil {
		return Crash{}, err
	}
	return Crash{Node: parts[0], Time: t}, nil
}

func splitFields(s string) []string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func checkNames(s, what string, names []string) error {
	for _, n := range names {
		if n == "" {
			return fmt.Errorf("%w: %s %q: empty node name", ErrSyntax, what, s)
		}
	}
	return nil
}

func parseTime(s, what, field string) (int, error) {
	t, err := strconv.Atoi(field)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q: time %q is not an integer", ErrSyntax, what, s, field)
	}
	if t < 1 {
		return 0, fmt.Errorf("%w: %s %q: time must be at least 1, got %d", ErrSyntax, what, s, t)
	}
	return t, nil
}

// ParseDelay parses the command-line form "from,to,time,by" of a delay,
// e.g. "a,b,1,2": the messages a sends b at time 1 arrive at 1+1+2 = 4.
func ParseDelay(s string) (Delay, error) {
	from, to, t, by, err := parseLate(s, "delay")
	return Delay{From: from, To: to, Time: t, By: by}, err
}

// ParseDuplicate parses the command-line form "from,to,time,by" of a
// duplicate, e.g. "a,b,1,2": the messages a sends b at time 1 arrive at 2
// and again at 4.
func ParseDuplicate(s string) (Duplicate, error) {
	from, to, t, by, err := parseLate(s, "duplicate")
	return Duplicate{From: from, To: to, Time: t, By: by}, err
}

func parseLate(s, what string) (from, to string, t, by int, err error) {
	parts := splitFields(s)
	if len(parts) != 4 {
		return "", "", 0, 0, fmt.Errorf("%w: %s %q: want from,to,time,by (e.g. a,b,1,2)", ErrSyntax, what, s)
	}
	if err := checkNames(s, what, parts[:2]); err != nil {
		return "", "", 0, 0, err
	}
	if t, err = parseTime(s, what, parts[2]); err != nil {
		return "", "", 0, 0, err
	}
	by, err = strconv.Atoi(parts[3])
	if err != nil || by < 1 {
		return "", "", 0, 0, fmt.Errorf("%w: %s %q: the delay %q must be an integer of at least 1", ErrSyntax, what, s, parts[3])
	}
	return parts[0], parts[1], t, by, nil
}

// ParsePartition parses the command-line form "a,b|c@2-4" of a partition:
// the groups {a, b} and {c} cannot exchange messages sent at times 2..4.
// "a|b,c@3" is the interval [3, 3]. Params.ValidateSchedule checks that
// the groups split the node set.
func ParsePartition(s string) (Partition, error) {
	bad := func(why string) (Partition, error) {
		return Partition{}, fmt.Errorf("%w: partition %q: %s (e.g. a,b|c@2-4)", ErrSyntax, s, why)
	}
	split, interval, ok := strings.Cut(s, "@")
	if !ok {
		return bad("want groups@interval")
	}
	g0, g1, ok := strings.Cut(split, "|")
	if !ok || strings.Contains(g1, "|") {
		return bad("want two groups separated by |")
	}
	var x Partition
	for k, g := range []string{g0, g1} {
		names := splitFields(g)
		if err := checkNames(s, "partition", names); err != nil {
			return Partition{}, err
		}
		x.Groups[k] = names
	}
	lo, hi, ranged := strings.Cut(interval, "-")
	var err error
	if x.From, err = parseTime(s, "partition", strings.TrimSpace(lo)); err != nil {
		return Partition{}, err
	}
	x.To = x.From
	if ranged {
		if x.To, err = parseTime(s, "partition", strings.TrimSpace(hi)); err != nil {
			return Partition{}, err
		}
	}
	return x, nil
}
