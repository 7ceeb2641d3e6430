package sim

import "math/bits"

// past is a causal past: a set of send events of one run, as an immutable
// bit set over the run's event numbers (eventTable). Unions share: joining
// a subset returns the larger set itself, so a node whose past stops
// growing allocates nothing more, and every message carries a pointer.
// nil is the empty set.
type past struct {
	words []uint64
}

// has reports whether event e is in p.
func (p *past) has(e int) bool {
	if p == nil || e/64 >= len(p.words) {
		return false
	}
	return p.words[e/64]&(1<<(e%64)) != 0
}

// with returns p plus event e.
func (p *past) with(e int) *past {
	if p.has(e) {
		return p
	}
	n := e/64 + 1
	if p != nil {
		n = max(n, len(p.words))
	}
	w := make([]uint64, n)
	if p != nil {
		copy(w, p.words)
	}
	w[e/64] |= 1 << (e % 64)
	return &past{words: w}
}

// subset reports whether every event of p is in q.
func (p *past) subset(q *past) bool {
	if p == nil {
		return true
	}
	for i, w := range p.words {
		var o uint64
		if q != nil && i < len(q.words) {
			o = q.words[i]
		}
		if w&^o != 0 {
			return false
		}
	}
	return true
}

// union returns p ∪ q, reusing p or q when one holds the other.
func (p *past) union(q *past) *past {
	switch {
	case q.subset(p):
		return p
	case p.subset(q):
		return q
	}
	w := make([]uint64, max(len(p.words), len(q.words)))
	copy(w, p.words)
	for i, x := range q.words {
		w[i] |= x
	}
	return &past{words: w}
}

// events lists the event numbers of p in ascending order.
func (p *past) events() []int {
	if p == nil {
		return nil
	}
	var out []int
	for i, w := range p.words {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, i*64+b)
			w &^= 1 << b
		}
	}
	return out
}
