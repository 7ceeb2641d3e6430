package fault

import (
	"errors"
	"strings"
	"testing"
)

func TestParseOmission(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "a,b,2", want: "omit(a->b@2)"},
		{in: " a , b , 10 ", want: "omit(a->b@10)"},
		{in: "a,b", err: `omission "a,b": want from,to,time`},
		{in: "a,b,2,3", err: "want from,to,time"},
		{in: ",b,2", err: "empty node name"},
		{in: "a,b,x", err: `time "x" is not an integer`},
		{in: "a,b,0", err: "time must be at least 1, got 0"},
		{in: "a,b,-1", err: "time must be at least 1"},
		{in: "", err: "want from,to,time"},
	} {
		o, err := ParseOmission(tc.in)
		checkParse(t, tc.in, o.String(), err, tc.want, tc.err)
	}
}

func TestParseCrash(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "a,3", want: "crash(a@3)"},
		{in: "node1, 12", want: "crash(node1@12)"},
		{in: "a", err: `crash "a": want node,time`},
		{in: "a,b,3", err: "want node,time"},
		{in: " ,3", err: "empty node name"},
		{in: "a,3x", err: `time "3x" is not an integer`},
		{in: "a,0", err: "at least 1"},
		{in: "a,99999999999999999999999", err: "not an integer"},
	} {
		c, err := ParseCrash(tc.in)
		checkParse(t, tc.in, c.String(), err, tc.want, tc.err)
	}
}

func checkParse(t *testing.T, in, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) || !errors.Is(err, ErrSyntax) {
			t.Errorf("parse %q: error %v, want one containing %q", in, err, wantErr)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("parse %q = %s, %v; want %s", in, got, err, want)
	}
}
