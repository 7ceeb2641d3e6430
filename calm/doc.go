// Package calm is ldfi's static consistency analysis (CALM: consistency as
// logical monotonicity). It reads a lowered program (dedalus.Program) and
// says, for each relation and for each outcome relation (pre, post, or any
// relation the caller names), whether its contents at the end of time can
// depend on the order and timing in which messages arrive.
//
// The behavioural definition it is sound for: an outcome is confluent when
// its contents at EOT are the same under every delivery schedule without
// loss — messages sent before EFF delayed by any 0..D steps and possibly
// delivered twice, no omission, no crash — for EOT large enough (past
// EFF + D and past the time the program needs to settle). Everything at
// time 1 is the same in every schedule (no message has arrived yet); a
// message to the sender itself is never late.
//
// The analysis computes, per relation, sufficient conditions for a few
// properties, each one proved by induction on time (see docs/consistency.md
// for the argument):
//
//   - local: the relation does not depend on any message (is not reachable
//     from an @async head), so it is the same in every schedule at every
//     time; for those, a static level says whether it also stays unchanged
//     over time (from time 1 or 2), or is empty after time 1.
//   - grow: it never loses a tuple (carried forward unconditionally, or
//     computed by monotone rules from growing relations).
//   - union: the set of tuples it ever holds is the same in every schedule
//     (and finite): monotone rules over growing inputs, or a rule that
//     reads one message relation joined only with unchanging data.
//   - rec: from some time on it holds exactly that union at every step.
//   - settled (confluent at EOT): from some time on its contents are the
//     same in every schedule.
//
// A point of order is a rule where one of these fails because of data that
// arrives by message: a notin or an aggregate over it whose result is
// remembered (persisted, sent, fed back), a join of a message that holds
// only at its arrival with other changing data (the two must meet in one
// timestep), a relation in a cycle through time that is not carried
// forward, a read of message-derived data at a fixed time (@k), or values
// invented (arithmetic, count, sum) in a cycle over message-derived data.
// Outcomes that are not settled list the points of order that make them so.
//
// The analysis is conservative: it may call a confluent outcome
// order-sensitive (a notin that only suppresses redundant sends, say), but
// it must never call an order-sensitive outcome confluent.
package calm
