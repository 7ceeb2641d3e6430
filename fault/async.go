package fault

import (
	"fmt"
	"slices"
	"strings"
)

// The asynchrony faults (section 8 of the Dedalus reference): a message
// that arrives late, a message that arrives twice, and a partition that
// cuts the node set in two for an interval of send times. All are off in
// the zero Params, so the omission-and-crash model is unchanged by them.
//
// Like an omission, a delay or a duplicate concerns a channel at a send
// time: every message from From to To sent at Time.

// Delay makes the messages from From to To sent at Time arrive at
// Time+1+By instead of Time+1 (1 <= By <= MaxDelay).
type Delay struct {
	From, To string
	Time, By int
}

// Duplicate makes the messages from From to To sent at Time arrive a second
// time, at Time+1+By (1 <= By <= MaxDelay), besides their first arrival
// (at Time+1, or later under a Delay of the same messages with another By).
// The copies are alike, so in canonical form the Delay is the earlier one:
// Delay.By < Duplicate.By.
type Duplicate struct {
	From, To string
	Time, By int
}

// Partition loses every message sent at a time in [From, To] from one of
// its two groups to the other. Groups split the node set: both non-empty,
// disjoint, together the whole set. In canonical form each group is
// sorted and the group holding the smallest node name comes first.
type Partition struct {
	Groups   [2][]string
	From, To int
}

func (d Delay) String() string { return fmt.Sprintf("delay(%s->%s@%d+%d)", d.From, d.To, d.Time, d.By) }
func (d Duplicate) String() string {
	return fmt.Sprintf("dup(%s->%s@%d+%d)", d.From, d.To, d.Time, d.By)
}

func (p Partition) String() string {
	if p.From == p.To {
		return fmt.Sprintf("partition(%s@%d)", p.splitKey(), p.From)
	}
	return fmt.Sprintf("partition(%s@%d-%d)", p.splitKey(), p.From, p.To)
}

// Cuts reports whether the partition loses a message from -> to sent at t.
func (p Partition) Cuts(from, to string, t int) bool {
	if t < p.From || t > p.To {
		return false
	}
	a, b := slices.Contains(p.Groups[0], from), slices.Contains(p.Groups[0], to)
	if a == b {
		return false // same side (or a node outside the split)
	}
	side := func(n string) bool { return slices.Contains(p.Groups[0], n) || slices.Contains(p.Groups[1], n) }
	return side(from) && side(to)
}

// canonical sorts the groups and puts the one with the smallest name first.
func (p Partition) canonical() Partition {
	g0, g1 := slices.Clone(p.Groups[0]), slices.Clone(p.Groups[1])
	slices.Sort(g0)
	slices.Sort(g1)
	if len(g1) > 0 && (len(g0) == 0 || g1[0] < g0[0]) {
		g0, g1 = g1, g0
	}
	return Partition{Groups: [2][]string{g0, g1}, From: p.From, To: p.To}
}

// sameSplit reports whether two canonical partitions split the nodes alike.
func (p Partition) sameSplit(q Partition) bool {
	return slices.Equal(p.Groups[0], q.Groups[0]) && slices.Equal(p.Groups[1], q.Groups[1])
}

// Async reports whether any asynchrony fault is enabled: delays,
// duplicates, partitions or an omission budget.
func (p Params) Async() bool {
	return p.MaxDelay > 0 || p.Duplicates || p.MaxPartitions > 0 || p.OmissionsBounded
}

// Fate is what the schedule does to the messages of one channel at one
// send time: removed (Cause != Kept), or delivered Delay steps late, and
// possibly a second time Dup steps late (0: no second copy).
type Fate struct {
	Cause Cause
	Delay int
	Dup   int
}

// Arrivals lists the times a message sent at t arrives under the fate,
// earliest first: none when removed; times after EOT are for the caller
// to drop.
func (f Fate) Arrivals(t int) []int {
	if f.Cause != Kept {
		return nil
	}
	first := t + 1 + f.Delay
	if f.Dup == 0 || f.Dup == f.Delay {
		return []int{first}
	}
	second := t + 1 + f.Dup
	return []int{min(first, second), max(first, second)}
}

// Fate extends Cause with the asynchrony faults: cut says a partition of
// the schedule crosses the channel at the send time, delay and dup are the
// schedule's delay and duplicate of it (0: none). Precedence: a crash of
// the sender, then a partition, then an omission remove the message; a
// kept message arrives late and twice as the schedule says, where the rule
// allows it (Delayable).
func (r Removal) Fate(senderCrash int, omitted, cut bool, delay, dup int) Fate {
	c := r.Cause(senderCrash, false)
	switch {
	case c != Kept:
	case cut && r.Omittable:
		c = Partitioned
	case omitted:
		c = r.Cause(0, true)
	}
	if c != Kept || !r.Omittable {
		return Fate{Cause: c}
	}
	return Fate{Delay: max(delay, 0), Dup: max(dup, 0)}
}

// Fate is the one rule applied to a schedule: what s does to a message
// from -> to sent at t.
func (p Params) Fate(s Schedule, from, to string, t int) Fate {
	ct, _ := s.CrashTime(from)
	cut := false
	for _, x := range s.Partitions {
		if x.Cuts(from, to, t) {
			cut = true
			break
		}
	}
	delay, dup := 0, 0
	for _, d := range s.Delays {
		if d.From == from && d.To == to && d.Time == t {
			delay = d.By
		}
	}
	for _, d := range s.Duplicates {
		if d.From == from && d.To == to && d.Time == t {
			dup = d.By
		}
	}
	return p.RemovedBy(from, to, t).Fate(ct, s.omits(from, to, t), cut, delay, dup)
}

// Delivers reports whether a copy of a message from -> to sent at t
// arrives at time at under s (at > EOT included: the caller bounds time).
func (p Params) Delivers(s Schedule, from, to string, t, at int) bool {
	return slices.Contains(p.Fate(s, from, to, t).Arrivals(t), at)
}

// validateAsync checks the asynchrony faults of s against the bounds.
func (p Params) validateAsync(s Schedule) error {
	type slot struct {
		from, to string
		t        int
	}
	omitted := map[slot]bool{}
	for _, o := range s.Omissions {
		omitted[slot{o.From, o.To, o.Time}] = true
	}
	delayed := map[slot]int{}
	for _, d := range s.Delays {
		k := slot{d.From, d.To, d.Time}
		if err := p.checkSlot(d, d.From, d.To, d.Time, d.By); err != nil {
			return err
		}
		switch {
		case omitted[k]:
			return fmt.Errorf("%w: %s: the message is also omitted", ErrInvalid, d)
		case delayed[k] > 0:
			return fmt.Errorf("%w: %s: the message is delayed twice", ErrInvalid, d)
		}
		delayed[k] = d.By
	}
	duped := map[slot]bool{}
	for _, d := range s.Duplicates {
		k := slot{d.From, d.To, d.Time}
		if err := p.checkSlot(d, d.From, d.To, d.Time, d.By); err != nil {
			return err
		}
		switch {
		case !p.Duplicates:
			return fmt.Errorf("%w: %s: duplicates are not enabled (--duplicates)", ErrInvalid, d)
		case omitted[k]:
			return fmt.Errorf("%w: %s: the message is also omitted (a lost message that arrives once, late, is a delay)", ErrInvalid, d)
		case duped[k]:
			return fmt.Errorf("%w: %s: the message is duplicated twice", ErrInvalid, d)
		case delayed[k] == d.By:
			return fmt.Errorf("%w: %s: the second copy arrives with the delayed first one (no second arrival)", ErrInvalid, d)
		}
		duped[k] = true
	}
	if len(s.Partitions) > p.MaxPartitions {
		return fmt.Errorf("%w: %d partitions exceed the partition budget %d", ErrInvalid, len(s.Partitions), p.MaxPartitions)
	}
	for _, x := range s.Partitions {
		if err := p.checkPartition(x); err != nil {
			return err
		}
	}
	if p.OmissionsBounded && len(s.Omissions) > p.MaxOmissions {
		return fmt.Errorf("%w: %d omissions exceed the omission budget %d", ErrInvalid, len(s.Omissions), p.MaxOmissions)
	}
	return nil
}

// checkSlot checks a delay or duplicate of from -> to at t by `by` steps
// (text prints it, only for an error: validation runs once per execution).
func (p Params) checkSlot(text fmt.Stringer, from, to string, t, by int) error {
	switch {
	case !p.HasNode(from):
		return fmt.Errorf("%w: %s: unknown node %q", ErrInvalid, text, from)
	case !p.HasNode(to):
		return fmt.Errorf("%w: %s: unknown node %q", ErrInvalid, text, to)
	case from == to:
		return fmt.Errorf("%w: %s: a node's messages to itself are never late", ErrInvalid, text)
	case t < 1:
		return fmt.Errorf("%w: %s: time must be at least 1", ErrInvalid, text)
	case t >= p.EFF:
		return fmt.Errorf("%w: %s: asynchrony faults need send time < EFF (%d)", ErrInvalid, text, p.EFF)
	case p.MaxDelay < 1:
		return fmt.Errorf("%w: %s: delays are not enabled (--delay)", ErrInvalid, text)
	case by < 1 || by > p.MaxDelay:
		return fmt.Errorf("%w: %s: the delay must be within 1..%d (--delay)", ErrInvalid, text, p.MaxDelay)
	}
	return nil
}

func (p Params) checkPartition(x Partition) error {
	seen := map[string]int{}
	for g, group := range x.Groups {
		if len(group) == 0 {
			return fmt.Errorf("%w: %s: both groups must be non-empty", ErrInvalid, x)
		}
		for _, n := range group {
			if !p.HasNode(n) {
				return fmt.Errorf("%w: %s: unknown node %q", ErrInvalid, x, n)
			}
			if _, dup := seen[n]; dup {
				return fmt.Errorf("%w: %s: node %q is listed twice", ErrInvalid, x, n)
			}
			seen[n] = g
		}
	}
	for _, n := range p.Nodes {
		if _, ok := seen[n]; !ok {
			return fmt.Errorf("%w: %s: node %q is in neither group (a partition splits the whole node set)", ErrInvalid, x, n)
		}
	}
	switch {
	case x.From < 1:
		return fmt.Errorf("%w: %s: times must be at least 1", ErrInvalid, x)
	case x.To < x.From:
		return fmt.Errorf("%w: %s: the interval ends before it starts", ErrInvalid, x)
	case x.To >= p.EFF:
		return fmt.Errorf("%w: %s: partitions need send times < EFF (%d)", ErrInvalid, x, p.EFF)
	}
	return nil
}

// canonicalAsync puts the asynchrony faults of s into out, which already
// holds the canonical crashes: partitions with the same split and
// overlapping or adjacent intervals merged, sorted; delays and duplicates
// of messages a crash or a partition removes dropped, sorted, and a
// message's delay made its earlier copy (orderCopies). Omissions a
// partition already cuts are dropped from out.Omissions.
func (s Schedule) canonicalAsync(out *Schedule, crashAt map[string]int) {
	out.Partitions = mergePartitions(s.Partitions)
	removed := func(from, to string, t int) bool {
		if c, ok := crashAt[from]; ok && c <= t {
			return true
		}
		for _, x := range out.Partitions {
			if x.Cuts(from, to, t) {
				return true
			}
		}
		return false
	}
	if len(out.Partitions) > 0 {
		out.Omissions = slices.DeleteFunc(out.Omissions, func(o Omission) bool { return removed(o.From, o.To, o.Time) })
		if len(out.Omissions) == 0 {
			out.Omissions = nil // as Canonical leaves an empty list: idempotent to reflect.DeepEqual
		}
	}
	for _, d := range s.Delays {
		if !removed(d.From, d.To, d.Time) {
			out.Delays = append(out.Delays, d)
		}
	}
	slices.SortFunc(out.Delays, func(a, b Delay) int { return compareSlot(a.From, a.To, a.Time, a.By, b.From, b.To, b.Time, b.By) })
	out.Delays = slices.Compact(out.Delays)
	for _, d := range s.Duplicates {
		if !removed(d.From, d.To, d.Time) {
			out.Duplicates = append(out.Duplicates, d)
		}
	}
	slices.SortFunc(out.Duplicates, func(a, b Duplicate) int {
		return compareSlot(a.From, a.To, a.Time, a.By, b.From, b.To, b.Time, b.By)
	})
	out.Duplicates = slices.Compact(out.Duplicates)
	orderCopies(out.Delays, out.Duplicates)
}

// orderCopies makes the delay of a message that is also duplicated the
// earlier of its two copies (Delay.By < Duplicate.By). The two copies are
// the same tuple, so "first copy d late, second e late" and "first e late,
// second d late" arrive at the same times (Fate.Arrivals) and are one
// schedule; without this, Canonical would keep them as two. Slots with
// more than one delay or duplicate (invalid) are left as they are. The
// lists are sorted by slot, and a swap keeps each one's slot order.
func orderCopies(delays []Delay, dups []Duplicate) {
	i := 0
	for j := range dups {
		d := &dups[j]
		for i < len(delays) && compareOmission(delays[i].slot(), d.slot()) < 0 {
			i++
		}
		if i >= len(delays) || delays[i].slot() != d.slot() || delays[i].By <= d.By {
			continue
		}
		once := (i+1 == len(delays) || delays[i+1].slot() != d.slot()) &&
			(j+1 == len(dups) || dups[j+1].slot() != d.slot()) &&
			(j == 0 || dups[j-1].slot() != d.slot())
		if once {
			delays[i].By, d.By = d.By, delays[i].By
		}
	}
}

func (d Delay) slot() Omission     { return Omission{d.From, d.To, d.Time} }
func (d Duplicate) slot() Omission { return Omission{d.From, d.To, d.Time} }

func compareSlot(af, at string, ati, aby int, bf, bt string, bti, bby int) int {
	if c := compareOmission(Omission{af, at, ati}, Omission{bf, bt, bti}); c != 0 {
		return c
	}
	return aby - bby
}

// mergePartitions returns the canonical partitions: groups sorted, same
// splits with overlapping or adjacent intervals merged into one, sorted by
// split then interval.
func mergePartitions(ps []Partition) []Partition {
	var out []Partition
	for _, p := range ps {
		out = append(out, p.canonical())
	}
	slices.SortFunc(out, comparePartition)
	var merged []Partition
	for _, p := range out {
		if n := len(merged); n > 0 && merged[n-1].sameSplit(p) && p.From <= merged[n-1].To+1 {
			merged[n-1].To = max(merged[n-1].To, p.To)
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

func comparePartition(a, b Partition) int {
	if c := strings.Compare(a.splitKey(), b.splitKey()); c != 0 {
		return c
	}
	if a.From != b.From {
		return a.From - b.From
	}
	return a.To - b.To
}

// splitKey names the split: "a,b|c".
func (p Partition) splitKey() string {
	return strings.Join(p.Groups[0], ",") + "|" + strings.Join(p.Groups[1], ",")
}

// AsyncBounds prints the asynchrony bounds of p that are set, each after
// ", " (e.g. ", delay 2, duplicates"; empty when none is, so a line of
// bounds reads as it always did).
func (p Params) AsyncBounds() string {
	var b strings.Builder
	if p.MaxDelay > 0 {
		fmt.Fprintf(&b, ", delay %d", p.MaxDelay)
	}
	if p.Duplicates {
		b.WriteString(", duplicates")
	}
	if p.MaxPartitions > 0 {
		fmt.Fprintf(&b, ", partitions %d", p.MaxPartitions)
	}
	if p.OmissionsBounded {
		fmt.Fprintf(&b, ", omissions %d", p.MaxOmissions)
	}
	return b.String()
}
