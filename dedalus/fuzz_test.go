package dedalus

import (
	"io/fs"
	"testing"
)

// The seed corpus is in testdata/fuzz/<FuzzName>/; `go test` runs it as
// ordinary tests. Fuzz with, for example:
//
//	go test ./dedalus -run='^$' -fuzz=FuzzLoad -fuzztime=10m -parallel=1

var fuzzSeeds = []string{
	``,
	`r("a", 1)@1;`,
	`include "inc.ded"; p(X, Y) :- q(X, Y), Y > 1;`,
	`log(N, P)@next :- log(N, P); log(M, P)@async :- node(N, M), log(N, P);`,
	`c(N, count<X>) :- r(N, X); m(N, min<X>, max<X>, sum<X>) :- r(N, X); r("a", 1)@1;`,
	`p(X) :- q(X), notin p(X); q("a")@1;`,
	`x(N, (1 + 2) * 3 % 4 - 5 / 6) :- y(N); y("n")@1;`,
	"/* unterminated",
	"\"unterminated",
	"r(\xff)@1;",
	`r(99999999999999999999)@0;`,
	`pre(X) :- post(X), notin crash(_, X, _)@2; post("a")@1;`,
	`include "self.ded"; include "nowhere.ded"; r("a")@1;`,
	"// comment\n\n/* block */ r(\"a\", 1)@1; // line\n\ns(X) :- r(X, _); /* end */\n",
}

func fuzzRead(path string) (string, error) {
	switch path {
	case "inc.ded":
		return `q("a", 2)@1; q(X, Y)@next :- q(X, Y);`, nil
	case "self.ded":
		return `include "self.ded";`, nil
	}
	return "", fs.ErrNotExist
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := ParseFile("fuzz.ded", src)
		if err != nil {
			if _, ok := err.(ErrorList); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		// A valid file prints to a fixed point that parses to the same AST.
		out := file.String()
		file2, err := ParseFile("fuzz.ded", out)
		if err != nil {
			t.Fatalf("printed form does not parse: %v\ninput:\n%q\nprinted:\n%s", err, src, out)
		}
		if out2 := file2.String(); out2 != out {
			t.Fatalf("printing is not idempotent:\n%s\n---\n%s", out, out2)
		}
		if !equalASTs(file, file2) {
			t.Fatalf("parse(print(ast)) != ast for %q", src)
		}
	})
}

func FuzzLoad(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, list := load(fuzzRead, func(l *loader) { l.loadSource("fuzz.ded", src, NoPos) })
		for _, e := range list {
			if !e.Pos.IsValid() {
				t.Fatalf("diagnostic without position: %v", e)
			}
		}
		if (p == nil) != list.HasErrors() {
			t.Fatalf("program %v with errors %v", p != nil, list)
		}
		if p != nil {
			_ = Desugar(p)
		}
	})
}
