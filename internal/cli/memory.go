package cli

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// defaultMaxMemory bounds a search's heap unless --max-memory says
// otherwise: a third of a 24 GiB machine, so that a runaway program ends
// with a verdict instead of being killed by the system.
const defaultMaxMemory = "8GiB"

// memoryPoll is how often the heap is measured against the limit.
const memoryPoll = 50 * time.Millisecond

// withMemoryLimit returns a context that is cancelled, with the cause "the
// memory limit (...) was reached", once the live heap exceeds limit bytes
// (0: no limit). The garbage collector is told the limit too, so it works
// harder before the search is stopped. stop ends the watch.
func withMemoryLimit(parent context.Context, limit uint64, text string) (ctx context.Context, stop func()) {
	if limit == 0 {
		return parent, func() {}
	}
	prev := debug.SetMemoryLimit(int64(min(limit, math.MaxInt64)))
	ctx, cancel := context.WithCancelCause(parent)
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(memoryPoll)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > limit {
					cancel(fmt.Errorf("the memory limit (%s) was reached", text))
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
		debug.SetMemoryLimit(prev)
	}
}

// parseSize reads a byte count such as 512MiB, 8GiB, 2G or 1000000 (0: no
// limit).
func parseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   uint64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1}}
	mult := uint64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || (n > 0 && mult > math.MaxUint64/n) {
		return 0, fmt.Errorf("want a size such as 512MiB, 8GiB or 0 for none, got %q", s)
	}
	return n * mult, nil
}
