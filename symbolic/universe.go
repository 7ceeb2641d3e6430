package symbolic

import (
	"encoding/binary"

	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
)

// tupleID indexes universe.tuples.
type tupleID int32

// tuple is one ground tuple that holds at its time in some schedule.
type tuple struct {
	rel  dedalus.RelID
	time int
	args []dedalus.Value
	// base are the disjuncts that do not come from same-timestep rules:
	// a fact (true), the crash oracle, an @next or @async derivation from
	// the previous timestep.
	base []z.Lit
	// insts are the same-timestep rule instances that derive the tuple.
	insts []instance
	// lit is the tuple's formula once final is set.
	lit   z.Lit
	final bool
}

// instance is one ground rule instance: it derives its head when cond
// holds and every tuple of inner holds. inner are the positive body tuples
// of the same stratum at the same time (not yet final when the instance is
// found, possibly recursive); everything else is folded into cond.
type instance struct {
	cond  z.Lit
	inner []tupleID
}

// table holds the tuples of one relation at one time, with hash indexes on
// the column subsets that joins look up, kept up to date as tuples arrive.
type table struct {
	rows    []tupleID
	indexes map[uint64]map[string][]tupleID // column mask -> key -> rows
}

// universe is the set of ground tuples, by relation and time.
type universe struct {
	// timeless is a relation whose tuples are the same at every time (the
	// crash oracle): stored once, at time 0, and read there whatever the
	// time asked (NoRel for none).
	timeless dedalus.RelID
	tuples   []tuple
	byKey    map[string]tupleID
	tabs     [][]*table // [rel][time], time 0..EOT+1
	keybuf   []byte
}

func newUniverse(nrels, eot int) *universe {
	u := &universe{byKey: map[string]tupleID{}, tabs: make([][]*table, nrels), timeless: dedalus.NoRel}
	for r := range u.tabs {
		u.tabs[r] = make([]*table, eot+2)
	}
	return u
}

// appendValue encodes v unambiguously (type, then length-prefixed string or
// the integer).
func appendValue(b []byte, v dedalus.Value) []byte {
	b = append(b, byte(v.Type))
	if v.Type == dedalus.TypeInt {
		return binary.LittleEndian.AppendUint64(b, uint64(v.Int))
	}
	b = binary.AppendUvarint(b, uint64(len(v.Str)))
	return append(b, v.Str...)
}

func (u *universe) key(rel dedalus.RelID, t int, args []dedalus.Value) []byte {
	if rel == u.timeless {
		t = 0
	}
	b := binary.LittleEndian.AppendUint32(u.keybuf[:0], uint32(rel))
	b = binary.LittleEndian.AppendUint32(b, uint32(t))
	for _, v := range args {
		b = appendValue(b, v)
	}
	u.keybuf = b
	return b
}

// find returns the tuple rel(args)@t, if it is in the universe.
func (u *universe) find(rel dedalus.RelID, t int, args []dedalus.Value) (tupleID, bool) {
	id, ok := u.byKey[string(u.key(rel, t, args))]
	return id, ok
}

// add returns the tuple rel(args)@t, adding it when new.
func (u *universe) add(rel dedalus.RelID, t int, args []dedalus.Value) (tupleID, bool) {
	k := u.key(rel, t, args)
	if id, ok := u.byKey[string(k)]; ok {
		return id, false
	}
	if rel == u.timeless {
		t = 0
	}
	id := tupleID(len(u.tuples))
	u.byKey[string(k)] = id
	u.tuples = append(u.tuples, tuple{rel: rel, time: t, args: append([]dedalus.Value(nil), args...)})
	tab := u.table(rel, t)
	tab.rows = append(tab.rows, id)
	for mask, ix := range tab.indexes {
		ik := string(maskKey(nil, mask, args))
		ix[ik] = append(ix[ik], id)
	}
	return id, true
}

func (u *universe) table(rel dedalus.RelID, t int) *table {
	tab := u.tabs[rel][t]
	if tab == nil {
		tab = &table{}
		u.tabs[rel][t] = tab
	}
	return tab
}

// maskKey encodes the columns of args selected by mask.
func maskKey(b []byte, mask uint64, args []dedalus.Value) []byte {
	for c, v := range args {
		if mask&(1<<uint(c)) != 0 {
			b = appendValue(b, v)
		}
	}
	return b
}

// lookup returns the rows of rel@t whose columns in mask equal vals' (vals
// has the relation's arity; only masked columns are read).
func (u *universe) lookup(rel dedalus.RelID, t int, mask uint64, vals []dedalus.Value) []tupleID {
	if rel == u.timeless {
		t = 0
	}
	tab := u.tabs[rel][t]
	if tab == nil {
		return nil
	}
	if mask == 0 {
		return tab.rows
	}
	ix, ok := tab.indexes[mask]
	if !ok {
		ix = map[string][]tupleID{}
		for _, id := range tab.rows {
			k := string(maskKey(nil, mask, u.tuples[id].args))
			ix[k] = append(ix[k], id)
		}
		if tab.indexes == nil {
			tab.indexes = map[uint64]map[string][]tupleID{}
		}
		tab.indexes[mask] = ix
	}
	u.keybuf = maskKey(u.keybuf[:0], mask, vals)
	return ix[string(u.keybuf)]
}
