package dedalus

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRobustness feeds pathological inputs through the whole pipeline:
// nothing may panic, every diagnostic has a position, and each input is
// handled quickly.
func TestRobustness(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 1<<16)
	for i := range garbage {
		garbage[i] = byte(rng.IntN(256))
	}
	oneMBLine := "r(X) :- s(X), X == " + strings.Repeat("X + ", 250000) + "1;"
	cases := []struct {
		name, src string
		wantErr   string // substring of some diagnostic ("" = must be valid)
	}{
		{"binary garbage", string(garbage), "invalid UTF-8"},
		{"NUL bytes", "r(\"a\")@1;\x00\x00", "illegal character U+0000"},
		{"invalid UTF-8 in string", "r(\"\xc3\x28\")@1;", "invalid UTF-8"},
		{"nested parentheses", "r(X) :- s(X), X == " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + ";", "nested too deeply"},
		{"nested parentheses in a head", "r(" + strings.Repeat("(", 10000) + ";", "nested too deeply"},
		{"1 MB line", oneMBLine, "expression too long"},
		{"1 MB of facts on one line", strings.Repeat(`r("a", 1)@1; `, 80000), ""},
		{"1 MB string", `r("` + strings.Repeat("a", 1<<20) + `")@1;`, ""},
		{"1 MB name", "r" + strings.Repeat("a", 1<<20) + `("a")@1;`, ""},
		{"integer overflow", "r(\"a\", 123456789012345678901234567890)@1;", "too large"},
		{"time overflow", "r(\"a\")@123456789012345678901234567890;", "too large"},
		{"unterminated string", "r(\"abc", "string not terminated"},
		{"unterminated comment", "r(\"a\")@1; /* abc", "comment not terminated"},
		{"only an operator", "==", "expected clause"},
		{"many clauses of errors", strings.Repeat("r(x)@1;\n", 10000), "too many errors"},
		{"deep negation chain", chain(2000), ""},
		{"long same-timestep cycle with negation", chain(2000) + "p0(X) :- q(X), notin p1999(X); q(\"a\")@1;", "not stratifiable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			p, list := load(fuzzRead, func(l *loader) { l.loadSource("x.ded", tc.src, NoPos) })
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			for _, e := range list {
				if !e.Pos.IsValid() {
					t.Errorf("diagnostic without position: %v", e)
				}
			}
			if tc.wantErr == "" {
				if p == nil {
					t.Fatalf("want a valid program, got:\n%v", abbrevList(list))
				}
				_ = Desugar(p)
				return
			}
			if p != nil || !strings.Contains(list.Error(), tc.wantErr) {
				t.Errorf("want an error containing %q, got:\n%v", tc.wantErr, abbrevList(list))
			}
		})
	}
}

// chain builds a same-timestep chain p0 <- p1 <- ... of n relations.
func chain(n int) string {
	var b strings.Builder
	b.WriteString("p0(\"a\")@1;\n")
	for i := 1; i < n; i++ {
		b.WriteString("p")
		b.WriteString(itoa(i))
		b.WriteString("(X) :- p")
		b.WriteString(itoa(i - 1))
		b.WriteString("(X);\n")
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

func abbrevList(l ErrorList) string {
	s := l.Error()
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return s
}
