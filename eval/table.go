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

func newTable(arity int, masks []uint64) *table {
	t := &table{arity: arity, idx: make([]index, len(masks))}
	for i, m := range masks {
		t.idx[i].init(m)
	}
	return t
}

func (t *table) len() int { return len(t.gid) }

func (t *table) row(i int) []int64 { return t.vals[i*t.arity : i*t.arity+t.arity] }

// find returns the local index of the tuple equal to vals, or -1.
func (t *table) find(vals []int64) int {
	ix := &t.idx[0]
	h := hashVals(vals)
	for i := ix.head(h); i >= 0; i = int(ix.next[i]) - 1 {
		if eqVals(t.row(i), vals) {
			return i
		}
	}
	return -1
}

// add appends vals (which must not be present) and indexes it.
func (t *table) add(vals []int64, gid int32) int {
	li := len(t.gid)
	t.vals = append(t.vals, vals...)
	t.gid = append(t.gid, gid)
	for k := range t.idx {
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

// index is a hash index over the columns of mask: open addressing over key
// hashes, each slot heading a chain (through next) of the local tuples with
// that key hash, newest first. Chains of different keys never share a slot,
// except on full 64-bit hash collisions, which readers resolve by comparing
// columns.
type index struct {
	cols     []int
	slotHash []uint64
	slotHead []int32 // local index + 1; 0 marks an empty slot
	next     []int32 // per local tuple: next local index + 1 in its chain
	used     int
}

func (ix *index) init(mask uint64) {
	ix.cols = ix.cols[:0]
	for c := 0; c < 64; c++ {
		if mask&(1<<uint(c)) != 0 {
			ix.cols = append(ix.cols, c)
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

// head returns the newest local tuple whose key hashes to h, or -1.
func (ix *index) head(h uint64) int {
	if len(ix.slotHead) == 0 {
		return -1
	}
	m := uint64(len(ix.slotHead) - 1)
	for s := h & m; ; s = (s + 1) & m {
		hd := ix.slotHead[s]
		if hd == 0 {
			return -1
		}
		if ix.slotHash[s] == h {
			return int(hd) - 1
		}
	}
}

func (ix *index) insert(h uint64, li int) {
	if (ix.used+1)*2 > len(ix.slotHead) {
		ix.grow()
	}
	for len(ix.next) <= li {
		ix.next = append(ix.next, 0)
	}
	m := uint64(len(ix.slotHead) - 1)
	for s := h & m; ; s = (s + 1) & m {
		hd := ix.slotHead[s]
		if hd == 0 {
			ix.slotHash[s] = h
			ix.slotHead[s] = int32(li + 1)
			ix.next[li] = 0
			ix.used++
			return
		}
		if ix.slotHash[s] == h {
			ix.next[li] = hd
			ix.slotHead[s] = int32(li + 1)
			return
		}
	}
}

func (ix *index) grow() {
	n := max(8, 2*len(ix.slotHead))
	oldHash, oldHead := ix.slotHash, ix.slotHead
	ix.slotHash = make([]uint64, n)
	ix.slotHead = make([]int32, n)
	m := uint64(n - 1)
	for i, hd := range oldHead {
		if hd == 0 {
			continue
		}
		h := oldHash[i]
		for s := h & m; ; s = (s + 1) & m {
			if ix.slotHead[s] == 0 {
				ix.slotHash[s] = h
				ix.slotHead[s] = hd
				break
			}
		}
	}
}

// hashKey hashes the key values given in column order, matching hashRow.
func hashKey(key []int64) uint64 { return hashVals(key) }
