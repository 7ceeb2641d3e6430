package report

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
)

func checkText(t *testing.T, file string, cfg search.Config) string {
	t.Helper()
	prog, err := dedalus.LoadFiles(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := search.Check(context.Background(), prog, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := search.NewEvidence(context.Background(), prog, cfg.Params, res, TextDraw)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	CheckText(&b, prog, cfg, res, ev, NewSummary(prog, cfg, res, "test"))
	return b.String()
}

// TestCheckTextWhy: the one-line why names the lost message when the
// outcome's lineage had one, and the tuple that appeared when the outcome
// relied on an absence.
func TestCheckTextWhy(t *testing.T) {
	out := checkText(t, "../examples/simple-deliv.ded", search.Config{
		Params: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}, NegativeSupport: true, Symmetry: true})
	for _, want := range []string{
		"verdict: counterexample",
		`why: without faults post("b","hello") depended on the message sends a->b@1; this schedule removes them`,
		"ldfi run --eot 4 --eff 2 --crashes 0 --nodes a,b,c --omit a,b,1 ../examples/simple-deliv.ded",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check text lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^.*a\s*->\s*b\s+log\("b","hello"\)\s+LOST \(omission\)$`).MatchString(out) {
		t.Errorf("check text's spacetime lacks the lost message a->b:\n%s", out)
	}
	out = checkText(t, "testdata/suspect.ded", search.Config{
		Params: fault.Params{Nodes: []string{"a", "b"}, EOT: 4, EFF: 2}, Strategy: search.Exhaustive})
	want := `why: without faults post("b","a") relied on the absence of suspect("b","a")@4; this schedule makes it hold`
	if !strings.Contains(out, want) {
		t.Errorf("check text lacks %q:\n%s", want, out)
	}
}
