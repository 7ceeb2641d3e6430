package eval

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// Kinds of derivation that are not rule firings.
const (
	ruleFact    = -1
	ruleBuiltin = -2
)

// run is the state of one execution. It is used by one goroutine and, once
// finished, read (never written) through Result.
type run struct {
	e     *Engine
	p     fault.Params
	s     fault.Schedule
	eot   int
	prov  bool
	limit int

	// Run-local strings: node names the program never mentions.
	extra   []string
	extraID map[string]int64
	isNode  []bool  // by string ID
	nodeIDs []int64 // in Params order
	crashT  []int   // by string ID: crash time, 0 = no crash
	omitted map[[3]int64]bool
	// The asynchrony faults, indexed like omissions (async: any of them).
	late  map[[3]int64]lateness // by (from, to, send time)
	parts []partIdx
	async bool

	tabs [][]*table // [rel][t], t in 0..eot+1
	msgT [][]*table // [rel][t]: messages sent at t, columns (from, head cols...)

	// Global tuples.
	tupRel, tupTime, tupLocal []int32
	msgs                      []msgRec
	// msgLate holds, per message, how late its copies arrive; only with
	// asynchrony faults (nil otherwise, so that a message costs no more).
	msgLate []lateness

	// Provenance.
	derivLast []int32 // per tuple: newest derivation + 1
	derivs    []derivRec
	bodyArena []int32
	negs      []negRec
	negVals   []int64

	mem mem

	// Evaluation scratch.
	t          int
	lo, hi     []int // per relation: delta bounds of the current stratum round
	cr         *crule
	pl         *plan
	vars       []int64
	body       []int32
	atomTable  []*table // per positive atom of cr: the table it joins
	atomFrom   []int    // per positive atom of cr: the rows atomFrom[i]..atomTo[i]-1 of atomTable[i] it joins
	atomTo     []int
	headbuf    []int64
	keybuf     []int64
	aggKey     []byte
	aggs       []aggGroup
	aggIndex   map[string]int
	aggVals    []aggVal
	aggBody    [][2]int32 // (group, body tuple) pairs, with provenance
	negScratch []negRec
	err        error
}

type msgRec struct {
	rel    int32
	t      int32 // send time
	local  int32 // row in msgT[rel][t]
	status MessageStatus
}

// lateness is how late the copies of a message arrive: the first at send
// time + 1 + delay, a second (dup > 0) at send time + 1 + dup.
type lateness struct{ delay, dup int32 }

// partIdx is a partition of the schedule indexed by string ID: side is 1
// or 2 for the nodes of its two groups, 0 for any other string.
type partIdx struct {
	side     []uint8
	from, to int
}

type derivRec struct {
	rule     int32 // rule index, ruleFact or ruleBuiltin
	prev     int32 // previous derivation of the same tuple + 1
	body     int32 // offset into bodyArena
	nbody    int32
	neg      int32 // offset into negs
	nneg     int32
	from, to int32 // string IDs of the send event; from < 0: none
	sendT    int32
}

type negRec struct {
	rel  int32
	time int32
	vals int32  // offset into negVals (arity values; wildcard positions hold 0)
	wild uint64 // bit c set: column c is a wildcard
}

type aggGroup struct {
	key  []int64 // head values; aggregate columns filled at the end
	negs []negRec
}

// aggVal is a value of aggregate column col in group g.
type aggVal struct {
	g, col int32
	v      int64
}

// Run executes one run of the program under schedule s. It is safe to call
// concurrently on one Engine. It checks ctx before each timestep and
// returns ctx.Err() once ctx is done.
func (e *Engine) Run(ctx context.Context, p fault.Params, s fault.Schedule, opts Options) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := p.ValidateSchedule(s); err != nil {
		return nil, err
	}
	if p.EOT > MaxEOT {
		return nil, fmt.Errorf("eval: EOT %d exceeds the maximum %d", p.EOT, MaxEOT)
	}
	r := &run{e: e, p: p, s: s.Canonical(), eot: p.EOT, prov: opts.Provenance, limit: opts.MaxTuples}
	if r.limit <= 0 {
		r.limit = defaultLimit()
	}
	r.extraID = map[string]int64{}
	for _, n := range p.Nodes {
		r.nodeIDs = append(r.nodeIDs, r.internRun(n))
	}
	nstr := len(e.strs) + len(r.extra)
	r.isNode = make([]bool, nstr)
	r.crashT = make([]int, nstr)
	for _, id := range r.nodeIDs {
		r.isNode[id] = true
	}
	for _, c := range r.s.Crashes {
		r.crashT[r.lookupStr(c.Node)] = c.Time
	}
	for _, o := range r.s.Omissions {
		if r.omitted == nil {
			r.omitted = map[[3]int64]bool{}
		}
		r.omitted[[3]int64{r.lookupStr(o.From), r.lookupStr(o.To), int64(o.Time)}] = true
	}
	r.indexAsync(nstr)
	nrel := len(e.rels)
	r.tabs = make([][]*table, nrel)
	r.msgT = make([][]*table, nrel)
	for i := range r.tabs {
		r.tabs[i] = make([]*table, r.eot+2)
	}
	for _, ri := range e.later {
		if e.rules[ri].kind == dedalus.Async {
			r.msgT[e.rules[ri].head] = make([]*table, r.eot+1)
		}
	}
	r.reserve()
	r.lo = make([]int, nrel)
	r.hi = make([]int, nrel)
	for t := 1; t <= r.eot; t++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := r.step(t); err != nil {
			return nil, err
		}
	}
	r.remember()
	return &Result{r: r}, nil
}

// sizeHints remembers how large the last runs of an engine grew, so that
// the next run allocates its arenas once. Only capacities depend on it, never
// results.
type sizeHints struct {
	tuples, derivs, body, negs atomic.Int64
	i64, i32, slots            atomic.Int64 // table memory
	tables, idxs               atomic.Int64
	rel, msg                   []atomic.Int32 // per relation: the largest table
}

func (r *run) reserve() {
	h := &r.e.hints
	n := int(h.tuples.Load())
	r.tupRel = make([]int32, 0, n)
	r.tupTime = make([]int32, 0, n)
	r.tupLocal = make([]int32, 0, n)
	if r.prov {
		r.derivLast = make([]int32, 0, n)
		r.derivs = make([]derivRec, 0, h.derivs.Load())
		r.bodyArena = make([]int32, 0, h.body.Load())
		r.negs = make([]negRec, 0, h.negs.Load())
	}
	r.mem.tables.chunk = max(8, int(h.tables.Load()))
	r.mem.idx.chunk = max(16, int(h.idxs.Load()))
	r.mem.i64.chunk = max(256, int(h.i64.Load()))
	r.mem.i32.chunk = max(256, int(h.i32.Load()))
	r.mem.slots.chunk = max(256, int(h.slots.Load()))
}

func (r *run) remember() {
	h := &r.e.hints
	grow := func(a *atomic.Int64, n int) {
		if int64(n) > a.Load() && n <= 1<<20 {
			a.Store(int64(n))
		}
	}
	grow(&h.tuples, len(r.tupRel))
	grow(&h.derivs, len(r.derivs))
	grow(&h.body, len(r.bodyArena))
	grow(&h.negs, len(r.negs))
	// Table memory: what the run used (an upper bound for the next one).
	var i64, i32, slots, tables, idxs int
	measure := func(tabs []*table, hint *atomic.Int32) {
		big := 0
		for _, tb := range tabs {
			if tb == nil {
				continue
			}
			tables++
			idxs += len(tb.idx)
			big = max(big, tb.len())
			i64 += cap(tb.vals)
			i32 += cap(tb.gid)
			for i := range tb.idx {
				i32 += cap(tb.idx[i].next)
				slots += len(tb.idx[i].slots)
			}
		}
		if int32(big) > hint.Load() && big <= 1<<16 {
			hint.Store(int32(big))
		}
	}
	for rel := range r.tabs {
		measure(r.tabs[rel], &h.rel[rel])
		measure(r.msgT[rel], &h.msg[rel])
	}
	grow(&h.i64, i64)
	grow(&h.i32, i32)
	grow(&h.slots, slots)
	grow(&h.tables, tables)
	grow(&h.idxs, idxs)
}

func (r *run) internRun(s string) int64 {
	if id, ok := r.e.strID[s]; ok {
		return id
	}
	if id, ok := r.extraID[s]; ok {
		return id
	}
	id := int64(len(r.e.strs) + len(r.extra))
	r.extra = append(r.extra, s)
	r.extraID[s] = id
	return id
}

// lookupStr returns the ID of s, or -1 when s never occurs in the run.
func (r *run) lookupStr(s string) int64 {
	if id, ok := r.e.strID[s]; ok {
		return id
	}
	if id, ok := r.extraID[s]; ok {
		return id
	}
	return -1
}

func (r *run) str(id int64) string {
	if id >= 0 && id < int64(len(r.e.strs)) {
		return r.e.strs[id]
	}
	if i := id - int64(len(r.e.strs)); i >= 0 && i < int64(len(r.extra)) {
		return r.extra[i]
	}
	return fmt.Sprintf("?%d", id)
}

func (r *run) isNodeID(id int64) bool { return id >= 0 && id < int64(len(r.isNode)) && r.isNode[id] }

func (r *run) table(rel int32, t int) *table {
	tb := r.tabs[rel][t]
	if tb == nil {
		ri := &r.e.rels[rel]
		hint := int(r.e.hints.rel[rel].Load())
		if t > 1 && r.tabs[rel][t-1] != nil {
			hint = max(hint, r.tabs[rel][t-1].len()) // state usually persists
		}
		tb = r.mem.newTable(ri.arity, ri.cols, hint)
		r.tabs[rel][t] = tb
	}
	return tb
}

func (r *run) overLimit(rel int32) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: more than %d tuples and messages by time %d (deriving %s)",
			ErrTupleLimit, r.limit, r.t, r.e.rels[rel].name)
	}
}

// derive adds vals to rel at time t (if absent) and returns its tuple ID.
func (r *run) derive(rel int32, t int, vals []int64) int32 {
	tb := r.table(rel, t)
	h := hashVals(vals)
	if li := tb.findHash(vals, h); li >= 0 {
		return tb.gid[li]
	}
	if len(r.tupRel)+len(r.msgs) >= r.limit {
		r.overLimit(rel)
		return -1
	}
	gid := int32(len(r.tupRel))
	li := tb.addHash(vals, gid, h)
	r.tupRel = append(r.tupRel, rel)
	r.tupTime = append(r.tupTime, int32(t))
	r.tupLocal = append(r.tupLocal, int32(li))
	if r.prov {
		r.derivLast = append(r.derivLast, 0)
	}
	return gid
}

// addDeriv records a derivation of tuple gid. body and negs are copied.
func (r *run) addDeriv(gid int32, rule int32, body []int32, negs []negRec, from, to int64, sendT int) {
	d := derivRec{rule: rule, prev: r.derivLast[gid], from: -1, to: -1,
		body: int32(len(r.bodyArena)), nbody: int32(len(body)),
		neg: int32(len(r.negs)), nneg: int32(len(negs))}
	if from >= 0 {
		d.from, d.to, d.sendT = int32(from), int32(to), int32(sendT)
	}
	r.bodyArena = append(r.bodyArena, body...)
	r.negs = append(r.negs, negs...)
	r.derivs = append(r.derivs, d)
	r.derivLast[gid] = int32(len(r.derivs))
}

func (r *run) step(t int) error {
	r.t = t
	e := r.e
	for _, f := range e.facts[t] {
		gid := r.derive(f.rel, t, f.vals)
		if gid < 0 {
			return r.err
		}
		if r.prov {
			r.addDeriv(gid, ruleFact, nil, nil, -1, -1, 0)
		}
	}
	if cr := e.prog.Crash; cr != dedalus.NoRel && len(r.s.Crashes) > 0 {
		vals := make([]int64, 3)
		for _, obs := range r.nodeIDs {
			for _, c := range r.s.Crashes {
				vals[0], vals[1], vals[2] = obs, r.lookupStr(c.Node), int64(c.Time)
				gid := r.derive(int32(cr), t, vals)
				if gid < 0 {
					return r.err
				}
				if r.prov && r.derivLast[gid] == 0 {
					r.addDeriv(gid, ruleBuiltin, nil, nil, -1, -1, 0)
				}
			}
		}
	}
	for s := range e.strata {
		if err := r.stratum(s); err != nil {
			return err
		}
	}
	for _, ri := range e.later {
		r.evalFull(&e.rules[ri], -1)
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// stratum evaluates the deductive rules of stratum s at the current time to
// a fixpoint, semi-naively: after a first full round, each round joins every
// rule once per recursive atom j, reading the previous round's new tuples
// (the delta) at j, older tuples at recursive atoms before j and all tuples
// known at the round's start after j. Each derivation is found exactly once.
func (r *run) stratum(s int) error {
	e := r.e
	rules := e.strata[s]
	if len(rules) == 0 {
		return nil
	}
	t := r.t
	heads := e.heads[s]
	for _, h := range heads {
		r.lo[h], r.hi[h] = 0, r.tabLen(h, t)
	}
	for _, ri := range rules {
		r.evalFull(&e.rules[ri], s)
		if r.err != nil {
			return r.err
		}
	}
	for {
		changed := false
		for _, h := range heads {
			n := r.tabLen(h, t)
			if n > r.hi[h] {
				changed = true
			}
			r.lo[h], r.hi[h] = r.hi[h], n
		}
		if !changed {
			return nil
		}
		for _, ri := range rules {
			cr := &e.rules[ri]
			if cr.hasAgg {
				continue
			}
			for j := range cr.pos {
				if r.recursive(cr, j, s) {
					r.evalDelta(cr, j, s)
					if r.err != nil {
						return r.err
					}
				}
			}
		}
	}
}

func (r *run) tabLen(rel int32, t int) int {
	if tb := r.tabs[rel][t]; tb != nil {
		return tb.len()
	}
	return 0
}

// atomTime is the time positive or negated atom a reads at the current time,
// or 0 when it reads nothing (a time after the current one).
func (r *run) atomTime(a *catom) int {
	switch {
	case a.atTime == 0:
		return r.t
	case a.atTime > r.t:
		return 0
	}
	return a.atTime
}

// recursive reports whether positive atom j of cr reads a relation that the
// rules of stratum s are deriving at the current time.
func (r *run) recursive(cr *crule, j, s int) bool {
	if s < 0 {
		return false
	}
	a := &cr.pos[j]
	return r.e.rels[a.rel].derivedIn == s && r.atomTime(a) == r.t
}

// evalFull joins every positive atom over all its tuples (recursive ones up
// to the round's start).
func (r *run) evalFull(cr *crule, s int) {
	if !r.setup(cr) {
		return
	}
	for i := range cr.pos {
		a := &cr.pos[i]
		tt := r.atomTime(a)
		if tt == 0 || r.tabs[a.rel][tt] == nil {
			return
		}
		r.atomTable[i] = r.tabs[a.rel][tt]
		r.atomFrom[i] = 0
		if r.recursive(cr, i, s) {
			r.atomTo[i] = r.hi[a.rel]
		} else {
			r.atomTo[i] = r.atomTable[i].len()
		}
		if r.atomTo[i] == 0 {
			return
		}
	}
	if cr.hasAgg {
		r.aggs = r.aggs[:0]
		clear(r.aggIndex)
	}
	r.pl = &cr.full
	r.joinStart()
	if cr.hasAgg {
		r.aggFlush()
	}
}

// evalDelta joins with the delta of recursive atom j.
func (r *run) evalDelta(cr *crule, j, s int) {
	if !r.setup(cr) {
		return
	}
	for i := range cr.pos {
		a := &cr.pos[i]
		tt := r.atomTime(a)
		if tt == 0 || r.tabs[a.rel][tt] == nil {
			return
		}
		r.atomTable[i] = r.tabs[a.rel][tt]
		switch {
		case !r.recursive(cr, i, s):
			r.atomFrom[i], r.atomTo[i] = 0, r.atomTable[i].len()
		case i == j:
			r.atomFrom[i], r.atomTo[i] = r.lo[a.rel], r.hi[a.rel]
		case i < j:
			r.atomFrom[i], r.atomTo[i] = 0, r.lo[a.rel]
		default:
			r.atomFrom[i], r.atomTo[i] = 0, r.hi[a.rel]
		}
		if r.atomFrom[i] >= r.atomTo[i] {
			return
		}
	}
	r.pl = &cr.delta[j]
	r.joinStart()
}

// setup prepares the scratch space for cr and reports whether cr may fire.
func (r *run) setup(cr *crule) bool {
	if cr.nodeVar < 0 && !r.isNodeID(cr.nodeC) {
		return false
	}
	r.cr = cr
	r.vars = grow(r.vars, cr.nvars)
	r.body = grow(r.body, len(cr.pos))
	r.atomTable = grow(r.atomTable, len(cr.pos))
	r.atomFrom = grow(r.atomFrom, len(cr.pos))
	r.atomTo = grow(r.atomTo, len(cr.pos))
	r.headbuf = grow(r.headbuf, len(cr.args))
	return true
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (r *run) joinStart() {
	for _, ci := range r.pl.preCmps {
		if !r.cmp(&r.cr.cmps[ci]) {
			return
		}
	}
	r.join(0)
}

func (r *run) join(k int) {
	if r.err != nil {
		return
	}
	pl := r.pl
	if k == len(pl.steps) {
		r.emit()
		return
	}
	st := &pl.steps[k]
	tb, lo, hi := r.atomTable[st.atom], r.atomFrom[st.atom], r.atomTo[st.atom]
	if st.ix < 0 {
		for li := lo; li < hi; li++ {
			r.try(st, tb, li, k)
		}
		return
	}
	h := uint64(hashSeed)
	for _, ks := range st.keySrc {
		v := ks.c
		if ks.kind == termVar {
			v = r.vars[ks.v]
		}
		h = (h ^ uint64(v)) * hashPrime
		h ^= h >> 29
	}
	ix := &tb.idx[st.ix]
	for li := ix.head(mix(h)); li >= 0; li = int(ix.next[li]) - 1 {
		if li >= lo && li < hi {
			r.try(st, tb, li, k)
		}
	}
}

func (r *run) try(st *step, tb *table, li, k int) {
	row := tb.row(li)
	for _, c := range st.consts {
		if row[c.col] != c.c {
			return
		}
	}
	vars := r.vars
	for _, c := range st.bound {
		if row[c.col] != vars[c.v] {
			return
		}
	}
	for _, b := range st.binds {
		vars[b.v] = row[b.col]
	}
	for _, c := range st.same {
		if row[c.col] != vars[c.v] {
			return
		}
	}
	for _, ci := range st.cmps {
		if !r.cmp(&r.cr.cmps[ci]) {
			return
		}
	}
	if st.node && !r.isNodeID(vars[r.cr.nodeVar]) {
		return
	}
	r.body[st.atom] = tb.gid[li]
	r.join(k + 1)
}

// negFound reports whether some tuple matches negated atom a under the
// current binding.
func (r *run) negFound(a *catom) bool {
	tt := r.atomTime(a)
	if tt == 0 {
		return false
	}
	tb := r.tabs[a.rel][tt]
	if tb == nil || tb.len() == 0 {
		return false
	}
	if a.mask < 0 {
		return true
	}
	h := uint64(hashSeed)
	for _, c := range a.keyCols {
		v := r.termVal(a.args[c])
		h = (h ^ uint64(v)) * hashPrime
		h ^= h >> 29
	}
	ix := &tb.idx[a.mask]
	for li := ix.head(mix(h)); li >= 0; li = int(ix.next[li]) - 1 {
		row := tb.row(li)
		ok := true
		for _, c := range a.keyCols {
			if row[c] != r.termVal(a.args[c]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (r *run) termVal(t cterm) int64 {
	if t.kind == termVar {
		return r.vars[t.v]
	}
	return t.c
}

// emit completes a binding of every positive atom.
func (r *run) emit() {
	cr := r.cr
	for i := range cr.neg {
		if r.negFound(&cr.neg[i]) {
			return
		}
	}
	var negs []negRec
	if r.prov && len(cr.neg) > 0 {
		negs = r.negRecords()
	}
	if cr.hasAgg {
		r.aggAdd(negs)
		return
	}
	if cr.kind == dedalus.Next && r.t+1 > r.eot {
		return // past EOT: the head is never computed (nor can it overflow)
	}
	vals := r.headbuf
	for i := range cr.args {
		v, ok := r.evalExpr(cr.args[i].expr)
		if !ok {
			return
		}
		vals[i] = v
	}
	switch cr.kind {
	case dedalus.Deductive:
		r.record(r.derive(cr.head, r.t, vals), negs, -1, -1)
	case dedalus.Next:
		if r.t+1 <= r.eot {
			r.record(r.derive(cr.head, r.t+1, vals), negs, -1, -1)
		}
	case dedalus.Async:
		r.send(vals, negs)
	}
}

func (r *run) record(gid int32, negs []negRec, from, to int64) {
	if gid >= 0 && r.prov {
		r.addDeriv(gid, int32(r.cr.index), r.body, negs, from, to, r.t)
	}
}

// negRecords describes the negated atoms of the current binding.
func (r *run) negRecords() []negRec {
	r.negScratch = r.negScratch[:0]
	for i := range r.cr.neg {
		a := &r.cr.neg[i]
		n := negRec{rel: a.rel, time: int32(r.t), vals: int32(len(r.negVals))}
		if a.atTime != 0 {
			n.time = int32(a.atTime)
		}
		for c, t := range a.args {
			if t.kind == termWild {
				n.wild |= 1 << uint(c)
				r.negVals = append(r.negVals, 0)
			} else {
				r.negVals = append(r.negVals, r.termVal(t))
			}
		}
		r.negScratch = append(r.negScratch, n)
	}
	return r.negScratch
}

func (r *run) ruleNode() int64 {
	if r.cr.nodeVar < 0 {
		return r.cr.nodeC
	}
	return r.vars[r.cr.nodeVar]
}

// send handles an @async head: a message from the rule's node to vals[0].
func (r *run) send(vals []int64, negs []negRec) {
	cr := r.cr
	from, to := r.ruleNode(), vals[0]
	mt := r.msgT[cr.head][r.t]
	if mt == nil {
		hint := int(r.e.hints.msg[cr.head].Load())
		if prev := r.msgT[cr.head][r.t-1]; prev != nil {
			hint = max(hint, prev.len())
		}
		mt = r.mem.newTable(len(vals)+1, r.e.msgCols[cr.head], hint)
		r.msgT[cr.head][r.t] = mt
	}
	key := append(append(r.keybuf[:0], from), vals...)
	r.keybuf = key
	li := mt.find(key)
	var mi int32
	if li >= 0 {
		mi = mt.gid[li]
	} else {
		if len(r.tupRel)+len(r.msgs) >= r.limit {
			r.overLimit(cr.head)
			return
		}
		status, late := r.fate(from, to, r.t)
		mi = int32(len(r.msgs))
		li = mt.add(key, mi)
		r.msgs = append(r.msgs, msgRec{rel: cr.head, t: int32(r.t), local: int32(li), status: status})
		if r.async {
			r.msgLate = append(r.msgLate, late)
		}
	}
	switch {
	case r.msgs[mi].status != Delivered:
	case r.async:
		r.deliver(cr.head, r.msgLate[mi], vals, negs, from, to)
	default:
		r.record(r.derive(cr.head, r.t+1, vals), negs, from, to)
	}
}

// fate decides what happens to a message from -> to sent at t:
// fault.Removal.Fate's rule, applied to the schedule as indexed by string
// ID. Without asynchrony faults no delay, duplicate or partition is looked
// up.
func (r *run) fate(from, to int64, t int) (MessageStatus, lateness) {
	crash := 0
	if from >= 0 && from < int64(len(r.crashT)) {
		crash = r.crashT[from]
	}
	omitted := r.omitted[[3]int64{from, to, int64(t)}]
	rm := r.p.RemovedBetween(from == to, r.isNodeID(from), r.isNodeID(to), t)
	var f fault.Fate
	if r.async {
		f = r.asyncFate(rm, crash, omitted, from, to, t)
	} else {
		f = rm.Fate(crash, omitted, false, 0, 0)
	}
	switch f.Cause {
	case fault.Crashed:
		return LostCrash, lateness{}
	case fault.Omitted:
		return LostOmission, lateness{}
	case fault.Partitioned:
		return LostPartition, lateness{}
	}
	late := lateness{delay: int32(f.Delay), dup: int32(f.Dup)}
	earliest := f.Delay
	if f.Dup > 0 {
		earliest = min(earliest, f.Dup)
	}
	if t+1+earliest > r.eot {
		return AfterEOT, late
	}
	return Delivered, late
}

func (r *run) evalExpr(x *cexpr) (int64, bool) {
	if x.op == dedalus.ExprVar {
		return r.vars[x.v], true
	}
	switch x.op {
	case dedalus.ExprVar:
		return r.vars[x.v], true
	case dedalus.ExprConst:
		return x.c, true
	}
	a, ok := r.evalExpr(x.l)
	if !ok {
		return 0, false
	}
	b, ok := r.evalExpr(x.r)
	if !ok {
		return 0, false
	}
	return r.arith(x.op, a, b)
}

func (r *run) cmp(c *ccmp) bool {
	a, ok := r.evalExpr(c.l)
	if !ok {
		return false
	}
	b, ok := r.evalExpr(c.r)
	if !ok {
		return false
	}
	var d int
	switch {
	case c.op == dedalus.CmpEq:
		return a == b
	case c.op == dedalus.CmpNe:
		return a != b
	case c.str:
		d = strings.Compare(r.str(a), r.str(b))
	case a < b:
		d = -1
	case a > b:
		d = 1
	}
	switch c.op {
	case dedalus.CmpLt:
		return d < 0
	case dedalus.CmpLe:
		return d <= 0
	case dedalus.CmpGt:
		return d > 0
	case dedalus.CmpGe:
		return d >= 0
	}
	return false
}

// aggAdd adds the current binding to its aggregate group.
func (r *run) aggAdd(negs []negRec) {
	cr := r.cr
	vals := r.headbuf
	for i, h := range cr.args {
		if h.agg != dedalus.AggNone {
			vals[i] = 0
			continue
		}
		v, ok := r.evalExpr(h.expr)
		if !ok {
			return
		}
		vals[i] = v
	}
	if r.aggIndex == nil {
		r.aggIndex = map[string]int{}
	}
	r.aggKey = r.aggKey[:0]
	for _, v := range vals {
		r.aggKey = binary.LittleEndian.AppendUint64(r.aggKey, uint64(v))
	}
	gi, ok := r.aggIndex[string(r.aggKey)]
	if !ok {
		gi = len(r.aggs)
		r.aggIndex[string(r.aggKey)] = gi
		r.aggs = append(r.aggs, aggGroup{key: slices.Clone(vals)})
	}
	for i, h := range cr.args {
		if h.agg != dedalus.AggNone {
			r.aggVals = append(r.aggVals, aggVal{g: int32(gi), col: int32(i), v: r.vars[h.v]})
		}
	}
	if r.prov {
		for _, b := range r.body {
			r.aggBody = append(r.aggBody, [2]int32{int32(gi), b})
		}
		r.aggs[gi].negs = append(r.aggs[gi].negs, negs...)
	}
}

// aggFlush derives one head tuple per aggregate group.
func (r *run) aggFlush() {
	cr := r.cr
	slices.SortFunc(r.aggVals, func(a, b aggVal) int {
		return cmp.Or(cmp.Compare(a.g, b.g), cmp.Compare(a.col, b.col), cmp.Compare(a.v, b.v))
	})
	r.aggVals = slices.Compact(r.aggVals)
	for i := 0; i < len(r.aggVals); {
		j := i
		for j < len(r.aggVals) && r.aggVals[j].g == r.aggVals[i].g && r.aggVals[j].col == r.aggVals[i].col {
			j++
		}
		av := r.aggVals[i]
		h := cr.args[av.col]
		r.aggs[av.g].key[av.col] = r.aggregate(h.agg, cr.varTypes[h.v] == dedalus.TypeString, r.aggVals[i:j])
		i = j
	}
	if r.prov {
		slices.SortFunc(r.aggBody, func(a, b [2]int32) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
		r.aggBody = slices.Compact(r.aggBody)
	}
	bi := 0
	for gi := range r.aggs {
		g := &r.aggs[gi]
		gid := r.derive(cr.head, r.t, g.key)
		if gid < 0 || !r.prov {
			continue
		}
		var body []int32
		for ; bi < len(r.aggBody) && r.aggBody[bi][0] == int32(gi); bi++ {
			body = append(body, r.aggBody[bi][1])
		}
		r.addDeriv(gid, int32(cr.index), body, g.negs, -1, -1, 0)
	}
	r.aggVals, r.aggBody = r.aggVals[:0], r.aggBody[:0]
}

// aggregate computes f over the distinct values vs (sorted by ID).
func (r *run) aggregate(f dedalus.AggFunc, str bool, vs []aggVal) int64 {
	switch f {
	case dedalus.AggCount:
		return int64(len(vs))
	case dedalus.AggSum:
		var s int64
		for _, v := range vs {
			s, _ = r.arith(dedalus.ExprAdd, s, v.v) // an overflow stops the run
		}
		return s
	}
	if !str {
		if f == dedalus.AggMin {
			return vs[0].v
		}
		return vs[len(vs)-1].v
	}
	best := vs[0].v
	for _, v := range vs[1:] {
		c := strings.Compare(r.str(v.v), r.str(best))
		if f == dedalus.AggMin && c < 0 || f == dedalus.AggMax && c > 0 {
			best = v.v
		}
	}
	return best
}
