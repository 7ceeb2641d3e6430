package dedalus

// Allocation helpers. The front end builds many small objects (AST nodes,
// lowered terms and expressions) that all live exactly as long as the AST
// or the Program that holds them. Allocating them one by one made loading
// a 100-line program cost thousands of allocations, most of the time going
// to the allocator and the GC; a slab hands them out of a few larger
// chunks instead.

// slab allocates values of type T from chunks. Values handed out are never
// reused: a chunk stays alive while anything points into it, which is the
// lifetime of the AST or Program anyway.
type slab[T any] struct {
	buf []T
}

const (
	slabMinChunk = 16
	slabMaxChunk = 1024
)

// take returns a slice of n zero values whose capacity is exactly n, so an
// append by the caller reallocates instead of writing into a neighbour.
// For n == 0 it returns an empty, non-nil slice (what make(.., 0, 0)
// gives), without allocating.
func (s *slab[T]) take(n int) []T {
	if n == 0 {
		return []T{}
	}
	start := len(s.buf)
	if start+n > cap(s.buf) {
		// Chunks grow geometrically, so that small inputs stay small and
		// large ones need few chunks; by half rather than doubling, since
		// the unused end of the last chunk is pure waste for the GC.
		size := min(max(cap(s.buf)+cap(s.buf)/2, slabMinChunk), slabMaxChunk)
		s.buf = make([]T, 0, max(size, n))
		start = 0
	}
	s.buf = s.buf[:start+n]
	return s.buf[start : start+n : start+n]
}

// reserve makes the next n values of take come from one chunk of exactly
// that size (for callers that can count what they need).
func (s *slab[T]) reserve(n int) {
	if n > cap(s.buf)-len(s.buf) {
		s.buf = make([]T, 0, n)
	}
}

// takeCap is take(n)[:0]: room for n appends that cannot reach another
// caller's values.
func (s *slab[T]) takeCap(n int) []T { return s.take(n)[:0] }

// new returns a pointer to a zero T.
func (s *slab[T]) new() *T { return &s.take(1)[0] }
