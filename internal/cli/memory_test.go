package cli

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"0": 0, "1000": 1000, "512MiB": 512 << 20, "8GiB": 8 << 30, "2G": 2 << 30, "3 MB": 3e6, "7B": 7} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "1.5GiB", "99999999999999999999", "18446744073709551615GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

// A heap over the limit cancels the context with a cause that names it.
func TestMemoryLimitCancels(t *testing.T) {
	ctx, stop := withMemoryLimit(context.Background(), 64<<20, "64MiB")
	defer stop()
	var hold [][]byte
	deadline := time.After(10 * time.Second)
	for ctx.Err() == nil {
		hold = append(hold, make([]byte, 8<<20))
		select {
		case <-deadline:
			t.Fatalf("not cancelled with %d MiB held", len(hold)*8)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if c := context.Cause(ctx); c == nil || !strings.Contains(c.Error(), "memory limit (64MiB)") {
		t.Fatalf("cause %v", c)
	}
	_ = hold
}
