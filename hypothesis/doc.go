// Package hypothesis turns what a run taught the search (a lineage.Support:
// the support formula of each good outcome) into the fault schedules worth
// running next: the minimal fault sets, within the bounds, that cut at least
// one outcome.
//
// # Definition
//
// A schedule cuts an outcome when the outcome's support formula is false:
// every derivation lost a message send the schedule removes
// (fault.Params.Lost: an omission of the channel at its send time t < EFF,
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
// schedule's String(). In Exact mode (and in Auto mode up to ExactSize)
// Minimal finds every hypothesis of size k before it looks at size k+1, so
// Options.Limit returns a prefix of the full list (with
// Options.PartialLevel, the last size may hold the first hypotheses the
// solver found instead of the String()-smallest: much faster when one size
// holds thousands). Beyond ExactSize, see "Greedy mode".
//
// # Greedy mode
//
// Enumerating by ascending size needs "at most k faults" constraints, and
// proving that no cutter of k−1 faults exists gets exponentially harder as
// k grows: on a replicated dataflow whose minimal cut sets have 15–20
// omissions, single calls took seconds. Options.Mode chooses:
//
//   - Exact: the ascending enumeration above for every size.
//   - Greedy: no size bound (the crash budget and MaxSize still hold). The
//     solver finds any cutting schedule; it is shrunk to a subset-minimal
//     one by dropping faults one at a time in canonical order while the
//     schedule still cuts (evaluated on the folded graph, no solver call;
//     with Not nodes, where that is not enough, the solver is then asked
//     for a cutting proper subset until there is none); its supersets are
//     blocked; repeat until Limit hypotheses are accepted or there is no
//     cutter left. Every hypothesis is subset-minimal and found once. The
//     result is sorted by (size, String()); without a Limit it is the full
//     list (when the solver finds nothing, every cutter contains one of the
//     hypotheses found, so every minimal one was found), but with a Limit it
//     holds the first ones found, which need not be the smallest.
//   - Auto (the default): Exact for the sizes up to ExactSize
//     (DefaultExactSize, 8, when 0), then Greedy for the larger ones. Small
//     protocols, whose cut sets have a few faults, get exactly the Exact
//     result; when every hypothesis of at most ExactSize faults is found
//     (or there is none), the larger ones come greedily, all after the
//     smaller ones. The switch depends only on sizes, so it is
//     deterministic (gophersat cannot stop a call after a conflict budget,
//     and a time budget would not be).
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
//	hs, stats, err := hypothesis.Minimal(ctx, support, params, hypothesis.Options{
//		Base:    run.Schedule,   // extend the faults of the run
//		Exclude: counterexamples, // no supersets of these
//		Skip:    alreadyRun,      // leave these out (their supersets stay non-minimal)
//		Limit:   100,
//	})
//
// Minimal checks ctx between solver calls and returns ctx.Err() once it is
// done. Cuts(support, params, schedule) tells which outcomes a schedule
// cuts, e.g. the outcomes a hypothesis is expected to cut.
package hypothesis
