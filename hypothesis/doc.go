// Package hypothesis turns what a run taught the search (a lineage.Support:
// the support formula of each good outcome) into the fault schedules worth
// running next: the minimal fault sets, within the bounds, that cut at least
// one outcome.
//
// # Definition
//
// A schedule cuts an outcome when the outcome's support formula is false:
// every derivation lost a message send the schedule removes
// (fault.Schedule.Lost: an omission of the channel at its send time t < EFF,
// or a crash of the sender at a time <= t). Given a base schedule B (the
// faults of the run the support came from, often none), a hypothesis is the
// canonical schedule of B ∪ X where
//
//   - B ∪ X cuts at least one outcome and is a valid schedule (at most one
//     crash per node, at most MaxCrashes crashes, omissions at 1 <= t < EFF);
//   - no proper subset of X does (X is minimal; without Not nodes cutting
//     is monotone in the fault set, so it is enough that no X minus one
//     fault cuts);
//   - X only uses faults that can matter: omissions of send events in the
//     graph, and crash times that are send times (clamped to EOT) of the
//     crashing node's events that an outcome can still depend on. A crash at
//     time c removes the node's sends at c and later, so crash times between
//     two send times have the effect of the later one; the hypothesis uses
//     that later time (the latest crash with that effect).
//
// Crashes subsume omissions: an omission from a node that X crashes at or
// before its send time is never part of a minimal X, and Canonical drops it
// from the base. No two hypotheses have the same canonical form.
//
// # Not nodes
//
// A lineage.Not node survives when its child does not: a derivation that
// relied on a tuple being absent survives only while that tuple's support
// is cut. Such formulas are not monotone in the faults: a schedule can cut
// an outcome that a superset of it does not cut, and the base alone can
// cut an open outcome (then the empty extension is the only hypothesis).
// The definition above is unchanged (subset-minimal cutting schedules,
// smallest first), and the level enumeration still finds exactly those: a
// cutter of size k that contains no smaller hypothesis has no cutting
// proper subset, since every smaller cutter contains a smaller hypothesis.
// What is no longer exact is the meaning, for the search, of what is
// blocked: Exclude (and Skip'd or returned hypotheses) remove all
// supersets, although with Not a superset of a schedule that does not break
// the invariant may still break it. For such formulas superset blocking and
// Exclude are heuristics of the search, not consequences of the semantics.
//
// # Order
//
// Smallest first (by the number of faults added to the base), then by the
// schedule's String(). Minimal finds every hypothesis of size k before it
// looks at size k+1, so Options.Limit returns a prefix of the full list
// (with Options.PartialLevel, the last size may hold the first hypotheses
// the solver found instead of the String()-smallest: much faster when one
// size holds thousands).
//
// # How
//
// The support graph is folded (constants, base faults) and encoded in CNF:
// one variable per relevant fault, one per open graph node reachable from
// an outcome, clauses saying "a node that survives has its variable true"
// (both directions, "true exactly when the node survives", for the nodes
// below a Not) and "some outcome's variable is false", and native cardinality
// constraints for one crash time per node and the crash budget (see
// encoding). Hypotheses are enumerated level by level with
// github.com/crillab/gophersat: at level k an "at most k faults" constraint
// is added; every model found is a minimal cutter of size k because the
// supersets of all smaller ones are already blocked; each model is blocked
// (its supersets excluded) and the solver is called again until the level is
// exhausted. A level with no model ends the search when the problem without
// the size bound is unsatisfiable too. Every model is also checked against
// the direct semantics (Cuts); a mismatch is an internal error, never a
// wrong hypothesis. The brute-force tests compare Minimal with an
// enumeration of all schedules on thousands of random small supports.
//
// # Use
//
//	hs, stats, err := hypothesis.Minimal(support, params, hypothesis.Options{
//		Base:    run.Schedule,   // extend the faults of the run
//		Exclude: counterexamples, // no supersets of these
//		Skip:    alreadyRun,      // leave these out (their supersets stay non-minimal)
//		Limit:   100,
//	})
//
// Cuts(support, schedule) tells which outcomes a schedule cuts, e.g. the
// outcomes a hypothesis is expected to cut.
package hypothesis
