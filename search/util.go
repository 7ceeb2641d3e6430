package search

import (
	"iter"
	"math/big"

	"github.com/ldfi/ldfi/fault"
)

func bigInt(n int) *big.Int { return big.NewInt(int64(n)) }

// iterPull adapts a schedule sequence to the pull style the baseline uses.
func iterPull(seq iter.Seq[fault.Schedule]) (func() (fault.Schedule, bool), func()) {
	return iter.Pull(seq)
}
