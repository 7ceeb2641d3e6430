package dedalus

import "strconv"

// token is the kind of a lexical token.
type token uint8

const (
	tEOF     token = iota
	tIllegal       // a character or sequence that is not a token (already reported)
	tComment       // a // or /* */ comment (lit holds the text)

	tName   // relation name or bare lower-case word: starts with a lower-case letter
	tVar    // variable: starts with an upper-case letter
	tWild   // _
	tString // "..." (lit holds the contents, without quotes)
	tInt    // decimal digits (lit holds the digits)

	tInclude // include
	tNotin   // notin
	tArrow   // :-
	tSemi    // ;
	tComma   // ,
	tLparen  // (
	tRparen  // )
	tAtNext  // @next
	tAtAsync // @async
	tAt      // @ (followed by an integer time)

	tEq  // ==
	tNe  // !=
	tLt  // <
	tLe  // <=
	tGt  // >
	tGe  // >=
	tAdd // +
	tSub // -
	tMul // *
	tDiv // /
	tMod // %
)

var tokenNames = [...]string{
	tEOF:     "end of file",
	tIllegal: "illegal character",
	tComment: "comment",
	tName:    "name",
	tVar:     "variable",
	tWild:    "_",
	tString:  "string",
	tInt:     "integer",
	tInclude: "include",
	tNotin:   "notin",
	tArrow:   ":-",
	tSemi:    ";",
	tComma:   ",",
	tLparen:  "(",
	tRparen:  ")",
	tAtNext:  "@next",
	tAtAsync: "@async",
	tAt:      "@",
	tEq:      "==",
	tNe:      "!=",
	tLt:      "<",
	tLe:      "<=",
	tGt:      ">",
	tGe:      ">=",
	tAdd:     "+",
	tSub:     "-",
	tMul:     "*",
	tDiv:     "/",
	tMod:     "%",
}

func (t token) String() string {
	if int(t) < len(tokenNames) {
		return tokenNames[t]
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// isCmp reports whether t is a comparison operator.
func (t token) isCmp() bool { return t >= tEq && t <= tGe }

// precedence returns the binary precedence of t (0 if t is not a binary
// arithmetic operator).
func (t token) precedence() int {
	switch t {
	case tAdd, tSub:
		return 1
	case tMul, tDiv, tMod:
		return 2
	}
	return 0
}
