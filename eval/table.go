package eval

// A table holds the tuples of one relation at one timestep, in insertion
// order. Tuple i of a table is its "local" index i; values are stored flat.
// Each table keeps one hash index per column set that rules look it up by;
// index 0 covers every column and deduplicates.
type table struct {
	arity int
	vals  []int64
	gid   []int32 // global tuple ID of each local tuple
	idx   []index
}

// slab hands out slices carved from large chunks, so that a run makes a
// few big allocations instead of many small ones. A slice it returns has
// exactly the capacity asked for: appending beyond it reallocates normally.
type slab[T any] struct {
	buf   []T
	chunk int
}

// take returns a zeroed slice of length n and capacity n.
func (s *slab[T]) take(n int) []T {
	if n == 0 {
		return nil
	}
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]T, 0, max(s.chunk, n))
	}
	start := len(s.buf)
	s.buf = s.buf[:start+n]
	return s.buf[start : start+n : start+n]
}

// mem is the allocator of one run's tables.
type mem struct {
	tables slab[table]
	idx    slab[index]
	i64    slab[int64]
	i32    slab[int32]
	slots  slab[slot]
}

// newTable returns an empty table with indexes on cols, sized for hint
// tuples.
func (m *mem) newTable(arity int, cols [][]int, hint int) *table {
	t := &m.tables.take(1)[0]
	t.arity = arity
	t.idx = m.idx.take(len(cols))
	if hint > 0 {
		t.vals = m.i64.take(hint * arity)[:0]
		t.gid = m.i32.take(hint)[:0]
	}
	for i, c := range cols {
		ix := &t.idx[i]
		ix.cols = c
		if hint > 0 {
			ix.next = m.i32.take(hint)[:0]
			size := 8
			for size < 2*hint {
				size *= 2
			}
			ix.slots = m.slots.take(size)
		}
	}
	return t
}

// maskCols lists the columns of mask in order.
func maskCols(mask uint64) []int {
	var cols []int
	for c := 0; c < 64; c++ {
		if mask&(1<<uint(c)) != 0 {
			cols = append(cols, c)
		}
	}
	return cols
}

func (t *table) len() int { return len(t.gid) }

func (t *table) row(i int) []int64 { return t.vals[i*t.arity : i*t.arity+t.arity] }

// find returns the local index of the tuple equal to vals, or -1.
func (t *table) find(vals []int64) int { return t.findHash(vals, hashVals(vals)) }

// findHash is find with the precomputed hashVals(vals).
func (t *table) findHash(vals []int64, h uint64) int {
	ix := &t.idx[0]
	for i := ix.head(h); i >= 0; i = int(ix.next[i]) - 1 {
		if eqVals(t.row(i), vals) {
			return i
		}
	}
	return -1
}

// add appends vals (which must not be present) and indexes it.
func (t *table) add(vals []int64, gid int32) int { return t.addHash(vals, gid, hashVals(vals)) }

// addHash is add with the precomputed hashVals(vals).
func (t *table) addHash(vals []int64, gid int32, h uint64) int {
	li := len(t.gid)
	t.vals = append(t.vals, vals...)
	t.gid = append(t.gid, gid)
	t.idx[0].insert(h, li)
	for k := 1; k < len(t.idx); k++ {
		ix := &t.idx[k]
		ix.insert(ix.hashRow(vals), li)
	}
	return li
}

func eqVals(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const (
	hashSeed  = 0x9e3779b97f4a7c15
	hashPrime = 0xff51afd7ed558ccd
)

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func hashVals(vals []int64) uint64 {
	h := uint64(hashSeed)
	for _, v := range vals {
		h = (h ^ uint64(v)) * hashPrime
		h ^= h >> 29
	}
	return mix(h)
}

// index is a hash index over the columns cols: open addressing over key
// hashes, each slot heading a chain (through next) of the local tuples with
// that key hash, newest first. Chains of different keys never share a slot,
// except on full 64-bit hash collisions, which readers resolve by comparing
// columns.
type index struct {
	cols  []int // shared, read-only
	slots []slot
	next  []int32 // per local tuple: next local index + 1 in its chain
	used  int
}

type slot struct {
	hash uint64
	head int32 // local index + 1; 0 marks an empty slot
}

// head returns the newest local tuple whose key hashes to h, or -1.
func (ix *index) head(h uint64) int {
	if len(ix.slots) == 0 {
		return -1
	}
	m := uint64(len(ix.slots) - 1)
	for s := h & m; ; s = (s + 1) & m {
		sl := &ix.slots[s]
		if sl.head == 0 {
			return -1
		}
		if sl.hash == h {
			return int(sl.head) - 1
		}
	}
}

func (ix *index) insert(h uint64, li int) {
	if (ix.used+1)*2 > len(ix.slots) {
		ix.grow()
	}
	ix.next = append(ix.next, 0)
	m := uint64(len(ix.slots) - 1)
	for s := h & m; ; s = (s + 1) & m {
		sl := &ix.slots[s]
		if sl.head == 0 {
			sl.hash, sl.head = h, int32(li+1)
			ix.used++
			return
		}
		if sl.hash == h {
			ix.next[li] = sl.head
			sl.head = int32(li + 1)
			return
		}
	}
}

func (ix *index) grow() {
	old := ix.slots
	ix.slots = make([]slot, max(8, 2*len(old)))
	m := uint64(len(ix.slots) - 1)
	for _, sl := range old {
		if sl.head == 0 {
			continue
		}
		for s := sl.hash & m; ; s = (s + 1) & m {
			if ix.slots[s].head == 0 {
				ix.slots[s] = sl
				break
			}
		}
	}
}

func (ix *index) hashRow(row []int64) uint64 {
	h := uint64(hashSeed)
	for _, c := range ix.cols {
		h = (h ^ uint64(row[c])) * hashPrime
		h ^= h >> 29
	}
	return mix(h)
}
