// Package sim runs distributed protocols written as ordinary Go under
// ldfi's fault model, deterministically, and records their lineage, so
// that ldfi's search (LDFI, random, exhaustive) checks Go code as it checks
// Dedalus programs.
//
// A protocol is a Cluster: node names, a constructor, and an invariant.
// Each node is a Go value implementing Node (Start, Receive, Tick); it
// talks to the world only through its Context: Send, Self, Now, and
// Outcome to declare that something the invariant cares about happened:
//
//	func (n *replica) Receive(ctx *sim.Context, m sim.Message) {
//		if w, ok := m.Body.(write); ok {
//			n.store = append(n.store, w.Value)
//			ctx.Outcome("stored", ctx.Self(), w.Value)
//			ctx.Send(m.From, ack{w.Value})
//		}
//	}
//
// Time advances in Dedalus steps: step 1..EOT; a message sent at t arrives
// at t+1 unless fault.Params.Fate — the one rule of the fault model —
// says it is lost (an omission before EFF, a partition, a crash of its
// sender at or before t) or late and duplicated (the asynchrony faults).
// A crashed node keeps running and receiving but sends nothing from its
// crash time on, as in Molly. Within a step, Start (at step 1), then the
// arrivals (receivers in cluster order, each in send order), then every
// node's Tick. Nothing depends on map order, wall time or goroutines:
// the same schedule gives the same run, byte for byte (Run.Transcript).
//
// Lineage: every message carries its sender's causal past, the set of send
// events (channel and send time) of the messages it had received, directly
// or transitively, as a shared immutable bit set. An outcome declared by a
// node is supported by the node's past at that moment; SendBecause and
// OutcomeBecause narrow the support to given messages when the code knows
// better. Run.TargetRun turns the declarations into lineage support
// formulas (an Or over declarations of the And of their send events),
// which the search's hypothesis engine reads as it reads Dedalus lineage.
//
// The invariant maps the finished run to Expectations (Dedalus's pre
// tuples): each names an outcome that must have been declared by EOT. The
// search (Check, or search.CheckTarget on Target) reports a counterexample
// — a replayable schedule, printed as ParseSchedule reads it — or, for
// LDFI, "no counterexample within the lineage-guided search"
// (search.MethodLineageGuided): unlike a Dedalus program, Go code has no
// exact encoding, and lineage does not see what code does on the absence
// of a message (a timeout), so this is not a proof. The exhaustive strategy
// runs every schedule and certifies. Package ldfitest wraps all of this for
// go test; docs/go.md is the guide.
package sim
