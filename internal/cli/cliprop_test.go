package cli

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCLIProperty runs random command lines (commands, flags, bounds,
// faults, good and bad values) over the example corpus and a few hostile
// programs, in-process through Run, and requires that none panics and
// every one exits with a documented code (0-5, root.go). It runs for
// LDFI_CLI_PROP (a duration, default 8s; e.g. LDFI_CLI_PROP=5m for a long
// run) from the seed LDFI_CLI_PROP_SEED (default: the time); a failure
// prints the seed and the command line.
func TestCLIProperty(t *testing.T) {
	budget := 8 * time.Second
	if testing.Short() {
		budget = 2 * time.Second
	}
	if s := os.Getenv("LDFI_CLI_PROP"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("LDFI_CLI_PROP: %v", err)
		}
		budget = d
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LDFI_CLI_PROP_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("LDFI_CLI_PROP_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (LDFI_CLI_PROP_SEED=%d reproduces), budget %s", seed, seed, budget)
	files := propCorpus(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Now()
	n, codes := 0, map[int]int{}
	for time.Since(start) < budget {
		args := propArgs(rng, files, t.TempDir)
		code, out := runProtected(args)
		n++
		codes[code]++
		if code < 0 || code > ExitOutput {
			t.Fatalf("seed %d, command %d: ldfi %s: exit %d (undocumented)\n%s", seed, n, shellJoin(args), code, out)
		}
		if code == ExitInternal {
			t.Errorf("seed %d, command %d: ldfi %s: internal error\n%s", seed, n, shellJoin(args), out)
		}
	}
	t.Logf("%d command lines in %s, exit codes %v", n, time.Since(start).Round(time.Millisecond), codes)
}

// runProtected runs args through Run and turns a panic into exit -1.
func runProtected(args []string) (code int, out string) {
	var buf bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			code, out = -1, fmt.Sprintf("%s\npanic: %v\n%s", buf.String(), r, debug.Stack())
		}
	}()
	code = Run(args, &buf, &buf)
	return code, buf.String()
}

// propCorpus returns the example programs and a few hostile ones (an
// overflow, a misspelled pre, no node, a syntax error, an empty file, a
// missing file, a directory).
func propCorpus(t *testing.T) []string {
	files, err := filepath.Glob("../../examples/*.ded")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	dir := t.TempDir()
	hostile := map[string]string{
		"overflow.ded": "c(\"a\", 4611686018427387904)@1;\nc(N, X * 2)@next :- c(N, X);\npre(N) :- c(N, _);\npost(N) :- c(N, _);\n",
		"typo.ded":     "v(\"a\", 1)@1;\npre(N, X) :- w(N, X);\npost(N, X) :- v(N, X);\n",
		"nonode.ded":   "p(N)@next :- p(N), N != \"x\";\n",
		"syntax.ded":   "p(\"a\")@1\nq(\n",
		"empty.ded":    "",
		"double.ded":   "s(\"a\", 1)@1;\ns(N, X + X)@next :- s(N, X);\ns(N, X + 1)@next :- s(N, X);\npre(N, X) :- s(N, X);\npost(N, X) :- s(N, X);\n",
	}
	for name, text := range hostile {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	return append(files, filepath.Join(dir, "missing.ded"), dir)
}

// propArgs draws one command line.
func propArgs(rng *rand.Rand, files []string, tempDir func() string) []string {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	maybe := func(p float64) bool { return rng.Float64() < p }
	num := func(lo, hi int) string { return strconv.Itoa(lo + rng.IntN(hi-lo+1)) }
	nodeSets := []string{"a,b,c", "a,b", "a", "C,a,b,c", "A,B,C", "a,a", "", " ", "a,,b", "C,r1,r2,r3", "src,p,s,dst"}
	cmd := pick("check", "check", "check", "run", "run", "vet", "fmt", "version", "bench", "nosuch")
	args := []string{cmd}
	if cmd == "version" || cmd == "nosuch" {
		if maybe(0.3) {
			args = append(args, "--help")
		}
		return args
	}
	if cmd == "bench" {
		// bench runs a whole table: only its refusals are cheap.
		return append(args, pick("--programs", "--format", "--only", "--bogus"), pick("", "/nosuch.json", "xml"), "--programs", "/nosuch.json")
	}
	if cmd == "check" || cmd == "run" {
		if maybe(0.8) {
			args = append(args, "--nodes", nodeSets[rng.IntN(len(nodeSets))])
		}
		if maybe(0.8) {
			args = append(args, pick("--eot", "--EOT"), num(-1, 6))
		}
		if maybe(0.7) {
			args = append(args, pick("--eff", "--EFF"), num(-1, 6))
		}
		if maybe(0.5) {
			args = append(args, "--crashes", num(-1, 3))
		}
		if maybe(0.3) {
			args = append(args, "--format", pick("text", "json", "xml", ""))
		}
		if maybe(0.2) {
			args = append(args, "--max-tuples", pick("0", "-1", "10", "1000", "100000"))
		}
		if maybe(0.05) {
			args = append(args, "--out", pick("", tempDir(), "/proc/nope", filepath.Join(tempDir(), "new")))
		}
	}
	switch cmd {
	case "check":
		args = append(args, "--timeout", pick("1ns", "100ms", "1s", "2s", "2s"))
		if maybe(0.5) {
			args = append(args, "--strategy", pick("ldfi", "exact", "random", "exhaustive", "EXACT", "bogus"))
		}
		if maybe(0.3) {
			args = append(args, "--max-runs", pick("0", "1", "5", "50", "-3"))
		}
		if maybe(0.2) {
			args = append(args, "--parallel", pick("0", "1", "2", "8"))
		}
		if maybe(0.1) {
			args = append(args, "--exact-after", pick("-1", "0", "1", "5"))
		}
		if maybe(0.1) {
			args = append(args, "--max-instances", pick("0", "1", "100"))
		}
		if maybe(0.1) {
			args = append(args, "--max-memory", pick("0", "1", "1KiB", "bogus", "512MiB"))
		}
		for _, f := range []string{"--all", "--confirm", "--no-symmetry", "--use-symmetry", "--no-negative-support", "--stats", "--quiet", "--find-all-counterexamples"} {
			if maybe(0.08) {
				args = append(args, f)
			}
		}
		if maybe(0.1) {
			args = append(args, "--seed", num(-5, 100))
		}
	case "run":
		nodes := []string{"a", "b", "c", "C", "x", ""}
		for range rng.IntN(3) {
			args = append(args, "--omit", pick(nodes...)+","+pick(nodes...)+","+num(-1, 6))
		}
		for range rng.IntN(2) {
			args = append(args, "--crash", pick(nodes...)+","+num(-1, 7))
		}
		if maybe(0.1) {
			args = append(args, "--why", pick(`log(b,"hello")@4`, `log(c,"x")@2`, `nosuch(a)@1`, `pre(a)@99`, `bad`))
		}
	case "vet":
		if maybe(0.3) {
			args = append(args, "--format", pick("text", "json", "xml"))
		}
		if maybe(0.3) {
			args = append(args, "--desugared")
		}
	case "fmt":
		if maybe(0.3) {
			args = append(args, "--list")
		}
		// never --write: the corpus is read-only input
	}
	if maybe(0.03) {
		args = append(args, "--bogus-flag")
	}
	for range 1 + rng.IntN(2) {
		args = append(args, files[rng.IntN(len(files))])
	}
	if maybe(0.02) {
		args = args[:len(args)-1] // no file at all, sometimes
	}
	return args
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'`$\\|&;<>()*?[]{}!#~") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			q[i] = a
		}
	}
	return strings.Join(q, " ")
}
