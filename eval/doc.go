// Package eval runs a lowered Dedalus program (dedalus.Program) for one
// execution under a fault schedule, recording, when asked, how every tuple
// was derived. It is the deterministic core the search calls thousands of
// times: no I/O, no clock, no goroutines, no dependence on map order.
//
// # Usage
//
//	prog, err := dedalus.LoadFiles("simple-deliv.ded")
//	eng, err := eval.New(prog)                 // compile once
//	res, err := eng.Run(ctx, fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2},
//		fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}},
//		eval.Options{Provenance: true})
//	res.OK(), res.Violations()                  // the invariant verdict
//	res.Messages(), res.Tables()                // the whole run, sorted
//	id, ok := res.Find("log", 4, dedalus.Value{Type: dedalus.TypeString, Str: "b"}, ...)
//	res.Derivations(id), res.Sends(id)          // provenance graph
//
// An Engine is immutable after New; Run may be called concurrently. Run
// checks its context once per timestep: a cancelled run returns ctx.Err().
//
// # Semantics
//
// Exactly those of docs/language.md ("Meaning"): time runs 1..EOT; a fact
// holds at its time only (facts after EOT are ignored); at each time the
// deductive rules run to a fixpoint stratum by stratum, then the @next
// rules derive at t+1 (when t+1 <= EOT) and the @async rules send
// messages from the rule's node to the head's first column. What the
// schedule does to a message is fault.Removal.Fate, the one rule: a crash
// of the sender at or before the send time, a partition between the two
// ends at it, or an omission of the channel at it removes the message;
// otherwise it arrives at t+1+Delay and, when duplicated, again at
// t+1+Dup (both 0 without asynchrony faults: at t+1). Each arrival <= EOT
// derives the head tuple at that time; later ones are never seen. A late
// copy's tuple is added when the message is sent, to the table of its
// arrival time, which no rule reads before that time comes.
// A rule fires only when its node (the first column of its first positive
// body atom) is in the node set. The built-in crash(Observer, Crashed,
// Time) holds at every time for every observer in the node set and every
// crash of the schedule.
//
// Choices docs/language.md leaves open, made here:
//   - A body atom rel(...)@k reads rel as of time k: at times t > k the
//     complete table of time k; at t == k the current table, exactly like an
//     unannotated atom (the checker stratifies @k atoms like any other); at
//     t < k nothing (no tuple of a later time is known yet, facts included),
//     so `notin rel(...)@k` holds there.
//   - Aggregates group by the head's other columns and aggregate the set of
//     distinct values of their variable in the group: count<X> counts the
//     distinct X, sum<X> adds the distinct X (two bindings with the same X
//     add it once), min/max order integers numerically and strings as Go
//     strings. A group with no binding yields no tuple.
//   - Integer arithmetic is Go's int64 arithmetic: division truncates toward
//     zero, % takes the sign of the dividend, overflow wraps (no error). A
//     division or remainder by zero makes that binding fail (no tuple, no
//     error). Comparisons order integers numerically and strings as Go
//     strings; == and != compare any values.
//   - A message's status is Delivered (some copy arrives by EOT),
//     LostOmission, LostCrash, LostPartition, or AfterEOT (sent at EOT, or
//     so late that no copy arrives within the run). A crash counts before
//     a partition, a partition before an omission. Duplicate sends of one
//     message (same sender, head tuple and send time) are one Message.
//   - The verdict: at EOT every pre tuple without an equal post tuple is a
//     violation. A program without pre and post runs normally
//     (HasInvariant reports false) and has no violations.
//
// # Implementation
//
// New interns every string constant (a string value is an int64 ID; node
// names the program never mentions get run-local IDs), compiles each rule
// into join plans (one full plan, one delta plan per positive atom; after
// the first atom, the atom with the most bound columns comes next) and
// lists, per relation, the column sets rules look tuples up by. Each table
// (relation x time) stores tuples flat with one hash index per such column
// set. Each stratum is evaluated semi-naively: a full first round, then
// delta rounds in which a rule is joined once per recursive atom j, reading
// the previous round's new tuples at j, older tuples at recursive atoms
// before j and all tuples of the round's start after j; each derivation is
// therefore found exactly once. Options.MaxTuples bounds a run (ErrTupleLimit).
//
// # Provenance
//
// With Options.Provenance every derivation is stored once, in flat arenas:
// the rule, the body tuple IDs (with their times), the negated atoms it
// relied on (relation, time, bound columns, wildcards marked) and, for a
// tuple delivered by a message, the send event (From, To, SendTime; a late
// copy's derivation has the same send event, SendEvent.At its arrival). Facts
// and crash tuples are leaves (DerivFact, DerivBuiltin). The lineage package
// walks tuple -> Derivations -> Body tuples -> ... to build its formulas;
// Sends gives the inter-node send events in a tuple's lineage directly.
package eval
