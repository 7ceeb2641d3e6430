// Package symbolic decides, exactly, whether any fault schedule within the
// bounds breaks a program's invariant.
//
// Where the LDFI loop learns the lineage of the runs it has seen, this stage
// computes the boolean lineage of every tuple over all schedules at once and
// hands one question to a SAT solver:
//
//   - Fault variables: one per droppable send slot (sender != receiver, both
//     in the node set, 1 <= t < EFF) and, per node, a one-hot crash time
//     over 1..EOT (or none), with at most MaxCrashes nodes crashing. What a
//     fault removes is fault.Params.RemovedBy, the rule the evaluator uses.
//     With the asynchrony faults (async.go), each droppable slot also has a
//     one-hot delay (1..MaxDelay) and duplicate, there are MaxPartitions
//     partition slots (a split and an interval of send times), and an
//     omission budget is a cardinality bound; when a copy of a message
//     arrives is fault.Params.Fate, the evaluator's rule too.
//   - Universe: the ground tuples that could hold at each time in some
//     schedule, computed by evaluating with every message delivered (at
//     every arrival time a delay or a duplicate allows) and every negated
//     atom allowed (an over-approximation).
//   - Circuit: a tuple holds iff one of its ground rule instances has all
//     positive body tuples and none of the negated ones; a message holds iff
//     a copy of it arrives then (sent, not removed, and on time or late by
//     that much); @next carries a derivation to t+1;
//     aggregates are exact over the set of members that hold (a counter for
//     count, prefix comparisons for min/max, a subset-sum table for sum).
//     Positive recursion within one timestep is unrolled to its least
//     fixpoint (an SCC of k tuples is iterated k times from all-false), so a
//     cycle of tuples supporting each other never makes anything hold.
//     Gates are structurally hashed (an AIG, github.com/go-air/gini/logic).
//   - Question: some pre tuple at EOT without its post. UNSAT is an exact
//     certificate; a model is a schedule, shrunk to the fewest faults with
//     cardinality bounds (every omission, crash, delay, duplicate and
//     partition counts one), which the caller replays with the evaluator.
package symbolic
