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
