// Package fault describes the failure model of one run: the bounds of the
// fault space (nodes, EOT, EFF, crash budget) and a fault schedule (message
// omissions and node crashes). A Schedule is plain data: the search builds,
// compares, hashes and prints it; the evaluator only reads it.
package fault

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Params are the bounds of a run and of the search.
type Params struct {
	// Nodes is the node set, in the order the user gave it.
	Nodes []string
	// EOT is the last timestep (time runs 1..EOT).
	EOT int
	// EFF bounds omissions: only messages sent at t < EFF can be lost.
	EFF int
	// MaxCrashes is the crash budget.
	MaxCrashes int

	// The asynchrony faults (async.go); the zero values turn them off.

	// MaxDelay is D: a message sent at t < EFF may arrive at t+1+d for one
	// d in 1..D instead of t+1.
	MaxDelay int
	// Duplicates lets such a message also arrive a second time, at t+1+d
	// for one d in 1..MaxDelay.
	Duplicates bool
	// MaxPartitions is the partition budget.
	MaxPartitions int
	// MaxOmissions bounds the omissions of a schedule when OmissionsBounded
	// (otherwise any number, as in Molly).
	MaxOmissions     int
	OmissionsBounded bool
}

// Omission loses every message sent from From to To at send time Time.
type Omission struct {
	From, To string
	Time     int
}

// Crash makes Node mute from send time Time on.
type Crash struct {
	Node string
	Time int
}

// Schedule is a set of faults. Use Canonical before comparing or printing.
type Schedule struct {
	Omissions  []Omission
	Crashes    []Crash
	Delays     []Delay
	Duplicates []Duplicate
	Partitions []Partition
}

// ErrInvalid is wrapped by every Validate error.
var ErrInvalid = errors.New("invalid fault schedule")

// ParamError is a problem with one field of Params. Its message describes
// the problem; Field names the Params field, for callers that map it to
// their own spelling (a command-line flag, a JSON key).
type ParamError struct {
	Field string // the Params field: "Nodes", "EOT", "EFF", "MaxCrashes", "MaxDelay", ...
	Msg   string
}

func (e *ParamError) Error() string { return e.Msg }

func paramErr(field, format string, args ...any) error {
	return &ParamError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks the parameters themselves. Its errors are *ParamError.
func (p Params) Validate() error {
	if len(p.Nodes) == 0 {
		return paramErr("Nodes", "the node set is empty (at least one node is needed)")
	}
	seen := map[string]bool{}
	for _, n := range p.Nodes {
		if n == "" {
			return paramErr("Nodes", "empty node name in the node set")
		}
		if seen[n] {
			return paramErr("Nodes", "node %q listed twice in the node set", n)
		}
		seen[n] = true
	}
	if p.EOT < 1 {
		return paramErr("EOT", "EOT must be at least 1, got %d", p.EOT)
	}
	if p.EFF < 0 {
		return paramErr("EFF", "EFF must not be negative, got %d", p.EFF)
	}
	if p.MaxCrashes < 0 {
		return paramErr("MaxCrashes", "crash budget must not be negative, got %d", p.MaxCrashes)
	}
	if p.MaxCrashes > len(p.Nodes) {
		return paramErr("MaxCrashes", "crash budget %d exceeds the %d nodes", p.MaxCrashes, len(p.Nodes))
	}
	switch {
	case p.MaxDelay < 0:
		return paramErr("MaxDelay", "the maximal delay must not be negative, got %d", p.MaxDelay)
	case p.Duplicates && p.MaxDelay < 1:
		return paramErr("Duplicates", "duplicates need a delay bound of at least 1 (the second copy arrives 1..D steps late)")
	case p.MaxPartitions < 0:
		return paramErr("MaxPartitions", "the partition budget must not be negative, got %d", p.MaxPartitions)
	case p.MaxPartitions > 0 && len(p.Nodes) < 2:
		return paramErr("MaxPartitions", "a partition needs at least two nodes")
	case p.OmissionsBounded && p.MaxOmissions < 0:
		return paramErr("MaxOmissions", "the omission budget must not be negative, got %d", p.MaxOmissions)
	}
	return nil
}

// HasNode reports whether n is in the node set.
func (p Params) HasNode(n string) bool { return slices.Contains(p.Nodes, n) }

// ValidateSchedule checks s against the bounds: known nodes, omissions with
// From != To and 1 <= Time < EFF, crashes with 1 <= Time <= EOT, at most one
// crash per node and at most MaxCrashes crashes; and the asynchrony faults
// (validateAsync): delays and duplicates only where enabled, of a channel
// at 1 <= Time < EFF, by 1..MaxDelay, at most one of each per message, not
// of an omitted message, a duplicate not arriving with its delayed first
// copy; at most MaxPartitions partitions, each splitting the node set in
// two non-empty groups over 1 <= From <= To < EFF; with OmissionsBounded at
// most MaxOmissions omissions. It reads s as given (not its canonical form).
func (p Params) ValidateSchedule(s Schedule) error {
	for _, o := range s.Omissions {
		switch {
		case !p.HasNode(o.From):
			return fmt.Errorf("%w: omission %s: unknown node %q", ErrInvalid, o, o.From)
		case !p.HasNode(o.To):
			return fmt.Errorf("%w: omission %s: unknown node %q", ErrInvalid, o, o.To)
		case o.From == o.To:
			return fmt.Errorf("%w: omission %s: a node's messages to itself are never lost", ErrInvalid, o)
		case o.Time < 1:
			return fmt.Errorf("%w: omission %s: time must be at least 1", ErrInvalid, o)
		case o.Time >= p.EFF:
			return fmt.Errorf("%w: omission %s: omissions need send time < EFF (%d)", ErrInvalid, o, p.EFF)
		}
	}
	crashed := map[string]bool{}
	for _, c := range s.Crashes {
		switch {
		case !p.HasNode(c.Node):
			return fmt.Errorf("%w: crash %s: unknown node %q", ErrInvalid, c, c.Node)
		case c.Time < 1 || c.Time > p.EOT:
			return fmt.Errorf("%w: crash %s: time must be within 1..EOT (%d)", ErrInvalid, c, p.EOT)
		case crashed[c.Node]:
			return fmt.Errorf("%w: node %q crashes twice", ErrInvalid, c.Node)
		}
		crashed[c.Node] = true
	}
	if len(s.Crashes) > p.MaxCrashes {
		return fmt.Errorf("%w: %d crashes exceed the crash budget %d", ErrInvalid, len(s.Crashes), p.MaxCrashes)
	}
	return p.validateAsync(s)
}

func (o Omission) String() string { return fmt.Sprintf("omit(%s->%s@%d)", o.From, o.To, o.Time) }
func (c Crash) String() string    { return fmt.Sprintf("crash(%s@%d)", c.Node, c.Time) }

// Canonical returns a copy of s with crashes sorted by node, omissions sorted
// by (from, to, time), duplicates removed, and omissions dropped that a crash
// of their sender already implies (sender crashed at or before the send time):
// such schedules are the same schedule. The asynchrony faults likewise
// (canonicalAsync): partitions merged and sorted, the faults of messages a
// crash or a partition removes dropped, and of a delayed and duplicated
// message the delay made the earlier copy.
func (s Schedule) Canonical() Schedule {
	var out Schedule
	crashAt := map[string]int{}
	for _, c := range s.Crashes {
		if t, ok := crashAt[c.Node]; !ok || c.Time < t {
			crashAt[c.Node] = c.Time
		}
	}
	for n, t := range crashAt {
		out.Crashes = append(out.Crashes, Crash{n, t})
	}
	slices.SortFunc(out.Crashes, func(a, b Crash) int { return strings.Compare(a.Node, b.Node) })
	for _, o := range s.Omissions {
		if t, ok := crashAt[o.From]; ok && t <= o.Time {
			continue
		}
		out.Omissions = append(out.Omissions, o)
	}
	slices.SortFunc(out.Omissions, compareOmission)
	out.Omissions = slices.Compact(out.Omissions)
	s.canonicalAsync(&out, crashAt)
	return out
}

func compareOmission(a, b Omission) int {
	if c := strings.Compare(a.From, b.From); c != 0 {
		return c
	}
	if c := strings.Compare(a.To, b.To); c != 0 {
		return c
	}
	return a.Time - b.Time
}

// Size is the number of faults in the schedule.
func (s Schedule) Size() int {
	return len(s.Omissions) + len(s.Crashes) + len(s.Delays) + len(s.Duplicates) + len(s.Partitions)
}

// IsEmpty reports whether the schedule has no faults.
func (s Schedule) IsEmpty() bool { return s.Size() == 0 }

// String prints the canonical schedule on one line, e.g.
// "crash(a@2) omit(a->b@1)", or "no faults". It doubles as the schedule's key.
func (s Schedule) String() string {
	c := s.Canonical()
	if c.IsEmpty() {
		return "no faults"
	}
	return strings.Join(c.Faults(), " ")
}

// Faults lists the faults of s as printed, in the order of its fields:
// crashes, omissions, partitions, delays, duplicates (for a canonical
// schedule, the order of String). Without(i) drops the i-th.
func (s Schedule) Faults() []string {
	var parts []string
	for _, x := range s.Crashes {
		parts = append(parts, x.String())
	}
	for _, x := range s.Omissions {
		parts = append(parts, x.String())
	}
	for _, x := range s.Partitions {
		parts = append(parts, x.String())
	}
	for _, x := range s.Delays {
		parts = append(parts, x.String())
	}
	for _, x := range s.Duplicates {
		parts = append(parts, x.String())
	}
	return parts
}

// Without returns a copy of s without its i-th fault in the order of
// Faults.
func (s Schedule) Without(i int) Schedule {
	var out Schedule
	out.Crashes, i = dropAt(s.Crashes, i)
	out.Omissions, i = dropAt(s.Omissions, i)
	out.Partitions, i = dropAt(s.Partitions, i)
	out.Delays, i = dropAt(s.Delays, i)
	out.Duplicates, _ = dropAt(s.Duplicates, i)
	return out
}

// dropAt copies xs without its i-th element and returns the index left
// for the next list (i - len(xs), negative once dropped).
func dropAt[T any](xs []T, i int) ([]T, int) {
	var out []T
	for j, x := range xs {
		if j != i {
			out = append(out, x)
		}
	}
	return out, i - len(xs)
}

// Rename returns s with every node name n replaced by m(n) (a node
// permutation, for symmetry), in canonical form.
func (s Schedule) Rename(m func(string) string) Schedule {
	var out Schedule
	for _, c := range s.Crashes {
		out.Crashes = append(out.Crashes, Crash{Node: m(c.Node), Time: c.Time})
	}
	for _, o := range s.Omissions {
		out.Omissions = append(out.Omissions, Omission{From: m(o.From), To: m(o.To), Time: o.Time})
	}
	for _, d := range s.Delays {
		out.Delays = append(out.Delays, Delay{From: m(d.From), To: m(d.To), Time: d.Time, By: d.By})
	}
	for _, d := range s.Duplicates {
		out.Duplicates = append(out.Duplicates, Duplicate{From: m(d.From), To: m(d.To), Time: d.Time, By: d.By})
	}
	for _, x := range s.Partitions {
		var g [2][]string
		for k := range x.Groups {
			for _, n := range x.Groups[k] {
				g[k] = append(g[k], m(n))
			}
		}
		out.Partitions = append(out.Partitions, Partition{Groups: g, From: x.From, To: x.To})
	}
	return out.Canonical()
}

// CrashTime returns the crash time of node n and whether it crashes.
func (s Schedule) CrashTime(n string) (int, bool) {
	for _, c := range s.Crashes {
		if c.Node == n {
			return c.Time, true
		}
	}
	return 0, false
}

// Removal says which faults can remove one message: an omission of its
// channel at its send time, and a crash of its sender at or before then.
type Removal struct {
	// Omittable: the channel can be omitted at this send time (sender and
	// receiver differ, both in the node set, 1 <= t < EFF).
	Omittable bool
	// Crashable: a crash of the sender at any time <= the send time removes
	// the message (sender in the node set and not sending to itself).
	Crashable bool
	// sent is the send time.
	sent int
}

// RemovedBy is the one rule of what a fault removes: which faults of the
// model can remove a message from -> to sent at time t. Messages to self
// are never lost. Every answer to "is this message lost under this
// schedule?" comes from it: Params.Lost and Params.Removes for schedules,
// Removal.Cause for evaluators that index a schedule their own way (eval,
// the hypothesis encoding), and the exact encoding (symbolic) directly.
func (p Params) RemovedBy(from, to string, t int) Removal {
	return p.RemovedBetween(from == to, p.HasNode(from), p.HasNode(to), t)
}

// RemovedBetween is RemovedBy for a caller that already knows whether the
// message goes to its sender and whether each end is in the node set (the
// evaluator, per message, without looking the names up).
func (p Params) RemovedBetween(toSelf, fromNode, toNode bool, t int) Removal {
	if toSelf || !fromNode {
		return Removal{sent: t}
	}
	return Removal{
		Omittable: toNode && t >= 1 && t < p.EFF,
		Crashable: true,
		sent:      t,
	}
}

// Cause is the fault that removes a message, if any.
type Cause uint8

const (
	// Kept: no fault of the schedule removes the message.
	Kept Cause = iota
	// Omitted: the schedule omits the message's channel at its send time.
	Omitted
	// Crashed: the sender crashed at or before the send time.
	Crashed
	// Partitioned: a partition of the schedule separates sender and
	// receiver at the send time.
	Partitioned
)

func (c Cause) String() string {
	switch c {
	case Kept:
		return "kept"
	case Omitted:
		return "omitted"
	case Crashed:
		return "crashed"
	case Partitioned:
		return "partitioned"
	}
	return fmt.Sprintf("Cause(%d)", uint8(c))
}

// Cause applies the rule to what a schedule holds for this message: the
// sender's crash time (0: the sender does not crash) and whether the
// schedule omits the channel at the send time. A crash takes precedence
// over an omission (Canonical drops the omissions a crash implies).
func (r Removal) Cause(senderCrash int, omitted bool) Cause {
	switch {
	case r.Crashable && senderCrash >= 1 && senderCrash <= r.sent:
		return Crashed
	case r.Omittable && omitted:
		return Omitted
	}
	return Kept
}

// Removes says which fault of s removes a message from -> to sent at
// time t (Kept: none). It reads s as it is; a valid schedule only holds
// omissions that RemovedBy allows.
func (p Params) Removes(s Schedule, from, to string, t int) Cause {
	return p.Fate(s, from, to, t).Cause
}

// Lost reports whether a message from -> to sent at time t is lost under
// s: never for messages to self; otherwise when the channel is omitted at
// t, a partition cuts it, or the sender crashed at or before t (Removes).
// A delayed message is not lost (Delivers says when it arrives).
func (p Params) Lost(s Schedule, from, to string, t int) bool {
	return p.Removes(s, from, to, t) != Kept
}

// omits reports whether s holds the omission (from, to, t).
func (s Schedule) omits(from, to string, t int) bool {
	for _, o := range s.Omissions {
		if o.From == from && o.To == to && o.Time == t {
			return true
		}
	}
	return false
}
