package search

import (
	"math/rand/v2"
	"slices"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// The LDFI loop and the asynchrony faults (fault.Params.Async).
//
// The hypothesis engine reasons about cuts: which messages (channel, send
// time) must not arrive when they did for an outcome to lose every
// derivation. Omissions are one way to make a message not arrive at t+1;
// with the asynchrony faults there are others, and each hypothesis is
// realized as concrete schedules, tried in this order:
//
//   - the omissions themselves, when the omission budget allows them;
//   - every cut message delayed by the largest delay D: it misses its use at
//     t+1 and arrives as late as the bounds allow (a timeout whose
//     negative support was the message fires before it comes);
//   - the cut messages grouped under partitions (one fault however many
//     messages it drops), when they fit the partition budget.
//
// A late or second arrival also adds: a message that appears where it did
// not can change an aggregate or a negation (a counter that counts
// arrivals, a register that takes the last one, a tie between two writes).
// Lineage, which records what a run used, cannot propose those; they are
// proposed from the fault-free run instead (lateCandidates): each message
// delivered 1..D steps late, and once more 1..D steps late.
//
// None of this earns a certificate: with asynchrony faults the exact check
// decides every certificate (needsConfirmation).

// cutParams are the bounds the hypothesis engine works in: the same nodes,
// times and crashes, with every message before EFF omittable.
func cutParams(p fault.Params) fault.Params {
	return fault.Params{Nodes: p.Nodes, EOT: p.EOT, EFF: p.EFF, MaxCrashes: p.MaxCrashes}
}

// realize turns a cut hypothesis h (omissions and crashes within
// cutParams) into the concrete schedules that make the same cuts within p,
// in the order they should be tried. With no asynchrony fault it is h.
func realize(p fault.Params, h fault.Schedule) []fault.Schedule {
	if !p.Async() || len(h.Omissions) == 0 {
		return []fault.Schedule{h}
	}
	var out []fault.Schedule
	add := func(s fault.Schedule) {
		s = s.Canonical()
		if p.ValidateSchedule(s) == nil && !slices.ContainsFunc(out, func(o fault.Schedule) bool { return o.String() == s.String() }) {
			out = append(out, s)
		}
	}
	add(h)
	if p.MaxDelay > 0 {
		late := fault.Schedule{Crashes: h.Crashes}
		for _, o := range h.Omissions {
			late.Delays = append(late.Delays, fault.Delay{From: o.From, To: o.To, Time: o.Time, By: p.MaxDelay})
		}
		add(late)
	}
	if p.MaxPartitions > 0 {
		if parts, ok := coverByPartitions(p, h.Omissions); ok {
			add(fault.Schedule{Crashes: h.Crashes, Partitions: parts})
		}
	}
	return out
}

// coverByPartitions groups omissions under at most MaxPartitions
// partitions, greedily: each partition takes the split that separates the
// most remaining omissions (ties: the smaller first group, then the
// earlier split in enumeration order) and the interval spanning their send
// times. ok is false when the budget does not suffice.
func coverByPartitions(p fault.Params, om []fault.Omission) ([]fault.Partition, bool) {
	nodes := slices.Clone(p.Nodes)
	slices.Sort(nodes)
	splits := allSplits(nodes)
	left := slices.Clone(om)
	var parts []fault.Partition
	for len(left) > 0 {
		if len(parts) == p.MaxPartitions {
			return nil, false
		}
		best, bestN := -1, 0
		for i, sp := range splits {
			n := 0
			for _, o := range left {
				if slices.Contains(sp, o.From) != slices.Contains(sp, o.To) {
					n++
				}
			}
			if n > bestN || n == bestN && n > 0 && len(sp) < len(splits[best]) {
				best, bestN = i, n
			}
		}
		x := fault.Partition{Groups: [2][]string{splits[best], complement(nodes, splits[best])}, From: p.EFF, To: 0}
		var rest []fault.Omission
		for _, o := range left {
			if slices.Contains(x.Groups[0], o.From) != slices.Contains(x.Groups[0], o.To) {
				x.From, x.To = min(x.From, o.Time), max(x.To, o.Time)
			} else {
				rest = append(rest, o)
			}
		}
		parts = append(parts, x)
		left = rest
	}
	return parts, true
}

// allSplits lists one side of every split of nodes (sorted) into two
// non-empty groups: the side holding nodes[0], without the whole set.
func allSplits(nodes []string) [][]string {
	n := len(nodes)
	var out [][]string
	for mask := 0; mask < 1<<(n-1)-1; mask++ {
		side := []string{nodes[0]}
		for i := 1; i < n; i++ {
			if mask&(1<<(i-1)) != 0 {
				side = append(side, nodes[i])
			}
		}
		out = append(out, side)
	}
	return out
}

func complement(nodes, side []string) []string {
	var out []string
	for _, n := range nodes {
		if !slices.Contains(side, n) {
			out = append(out, n)
		}
	}
	return out
}

// cutOf is the inverse view of realize: the cut schedule (omissions and
// crashes within cutParams) whose messages s keeps from arriving on time,
// for telling the hypothesis engine what was tried. Duplicates cut
// nothing.
func cutOf(p fault.Params, s fault.Schedule) fault.Schedule {
	if !p.Async() {
		return s
	}
	out := fault.Schedule{Crashes: s.Crashes, Omissions: slices.Clone(s.Omissions)}
	for _, d := range s.Delays {
		out.Omissions = append(out.Omissions, fault.Omission{From: d.From, To: d.To, Time: d.Time})
	}
	for _, x := range s.Partitions {
		for t := x.From; t <= x.To; t++ {
			for _, a := range x.Groups[0] {
				for _, b := range x.Groups[1] {
					out.Omissions = append(out.Omissions, fault.Omission{From: a, To: b, Time: t}, fault.Omission{From: b, To: a, Time: t})
				}
			}
		}
	}
	return out.Canonical()
}

// missesOnTime says which send events s keeps from arriving at send time
// + 1 (lost, or the first copy late): what the learned lineage, whose
// derivations mostly used on-time arrivals, counts as removed.
func missesOnTime(p fault.Params, s fault.Schedule, from, to string, t int) bool {
	f := p.Fate(s, from, to, t)
	return f.Cause != fault.Kept || f.Delay > 0
}

// lateCandidates proposes, from the fault-free run, the single faults
// that add an arrival rather than cut one: each faultable delivered
// message delivered late by 1..D instead (it then appears where it did
// not, next to messages it used to precede: a reordering), and with
// duplicates delivered once more 1..D steps late. first holds the
// duplicates of the messages the lineage of a good outcome (or of its pre)
// used: a second arrival re-fires the derivation that used the first,
// which is how a non-idempotent outcome (a counter, a sum) goes wrong;
// they run before the cut hypotheses. rest holds the others, earliest
// send first, messages of the lineage first, a channel's delays before its
// duplicates, shorter first; they run after each round's hypotheses.
func lateCandidates(p fault.Params, res *eval.Result, used map[lineage.Event]bool) (first, rest []fault.Schedule) {
	if p.MaxDelay < 1 || res == nil {
		return nil, nil
	}
	seen := map[lineage.Event]bool{}
	var slots []lineage.Event
	for _, m := range res.Messages() {
		k := lineage.Event{From: m.From, To: m.To, Time: m.SendTime}
		if seen[k] || m.Status != eval.Delivered || !p.RemovedBy(m.From, m.To, m.SendTime).Omittable {
			continue
		}
		seen[k] = true
		slots = append(slots, k)
	}
	return lateSlots(p, slots, used)
}

// lateSlots proposes the late and duplicate arrivals of the given message
// slots (see lateCandidates).
func lateSlots(p fault.Params, slots []lineage.Event, used map[lineage.Event]bool) (first, rest []fault.Schedule) {
	slices.SortStableFunc(slots, func(a, b lineage.Event) int {
		if used[a] != used[b] {
			if used[a] {
				return -1
			}
			return 1
		}
		return a.Time - b.Time
	})
	for _, k := range slots {
		for by := 1; by <= p.MaxDelay && k.Time+1+by <= p.EOT; by++ {
			rest = append(rest, fault.Schedule{Delays: []fault.Delay{{From: k.From, To: k.To, Time: k.Time, By: by}}})
		}
		for by := 1; p.Duplicates && by <= p.MaxDelay && k.Time+1+by <= p.EOT; by++ {
			d := fault.Schedule{Duplicates: []fault.Duplicate{{From: k.From, To: k.To, Time: k.Time, By: by}}}
			if used[k] {
				first = append(first, d)
			} else {
				rest = append(rest, d)
			}
		}
	}
	return first, rest
}

// supportEvents lists the send events the support formulas of sup use.
func supportEvents(sup *lineage.Support) map[lineage.Event]bool {
	g := sup.Graph.Nodes
	seen := make([]bool, len(g))
	var stack []lineage.NodeID
	for _, o := range sup.Outcomes {
		stack = append(stack, o.Root)
	}
	out := map[lineage.Event]bool{}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id < 0 || int(id) >= len(g) || seen[id] {
			continue
		}
		seen[id] = true
		if g[id].Kind == lineage.Send {
			out[g[id].Event] = true
		}
		stack = append(stack, g[id].Children...)
	}
	return out
}

// randomAsync draws the asynchrony faults of one random schedule on top
// of its crashes: per message slot before EFF a fate uniform among on
// time, lost (when omissions are allowed) and late by 1..D; with
// duplicates, a second copy with probability 1/2; at most the omission
// budget of omissions (a random subset kept); and a partition count
// uniform in 0..P with random splits and intervals.
func randomAsync(p fault.Params, rng *rand.Rand, nodes []string, s *fault.Schedule) {
	omit := !p.OmissionsBounded || p.MaxOmissions > 0
	choices := 1 + p.MaxDelay
	if omit {
		choices++
	}
	var om []fault.Omission
	for t := 1; t < p.EFF; t++ {
		for _, from := range nodes {
			for _, to := range nodes {
				if from == to {
					continue
				}
				c, delay := rng.IntN(choices), 0
				switch {
				case c == 0:
				case c <= p.MaxDelay:
					delay = c
					s.Delays = append(s.Delays, fault.Delay{From: from, To: to, Time: t, By: c})
				default:
					om = append(om, fault.Omission{From: from, To: to, Time: t})
					continue
				}
				if p.Duplicates && rng.IntN(2) == 0 {
					if by := 1 + rng.IntN(p.MaxDelay); by != delay {
						s.Duplicates = append(s.Duplicates, fault.Duplicate{From: from, To: to, Time: t, By: by})
					}
				}
			}
		}
	}
	if p.OmissionsBounded && len(om) > p.MaxOmissions {
		rng.Shuffle(len(om), func(i, j int) { om[i], om[j] = om[j], om[i] })
		om = om[:p.MaxOmissions]
	}
	s.Omissions = om
	if p.EFF < 2 || len(nodes) < 2 {
		return
	}
	splits := allSplits(nodes)
	for range rng.IntN(p.MaxPartitions + 1) {
		side := splits[rng.IntN(len(splits))]
		a, b := 1+rng.IntN(p.EFF-1), 1+rng.IntN(p.EFF-1)
		s.Partitions = append(s.Partitions, fault.Partition{Groups: [2][]string{side, complement(nodes, side)}, From: min(a, b), To: max(a, b)})
	}
}
