package dedalus

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// scanner splits Dedalus source into tokens. It reports lexical errors
// (illegal characters, invalid UTF-8, unterminated strings and comments)
// to its diags and always makes progress, so any input ends in tEOF.
type scanner struct {
	file string
	src  string
	off  int // offset of the next unread byte
	line int // line of src[off]
	col  int // column (1-based, in bytes) of src[off]
	d    *diags

	// The last token's literal is src[litStart:litEnd]: the parser keeps
	// these offsets rather than the string (writing pointers costs GC
	// write barriers on every token).
	litStart, litEnd int
}

// lit records src[start:end] as the token's literal and returns it.
func (s *scanner) lit(start, end int) string {
	s.litStart, s.litEnd = start, end
	return s.src[start:end]
}

func newScanner(file, src string, d *diags) *scanner {
	s := &scanner{file: file, src: src, line: 1, col: 1, d: d}
	// A UTF-8 byte order mark at the start is ignored.
	if len(src) >= 3 && src[:3] == "\uFEFF" {
		s.off, s.col = 3, 4
	}
	return s
}

func (s *scanner) pos() Pos { return Pos{File: s.file, Line: s.line, Col: s.col} }

// advance moves over n bytes, none of which is a newline.
func (s *scanner) advance(n int) { s.off += n; s.col += n }

func (s *scanner) newline() { s.off++; s.line++; s.col = 1 }

func isLower(c byte) bool  { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return isLower(c) || isUpper(c) }
func isIdent(c byte) bool  { return isLetter(c) || isDigit(c) || c == '_' }

// next returns the next token, its position and its literal text.
func (s *scanner) next() (tok token, pos Pos, lit string) {
	s.skipSpace()
	pos = s.pos()
	if s.off >= len(s.src) {
		return tEOF, pos, s.lit(s.off, s.off)
	}
	c := s.src[s.off]
	switch {
	case isLower(c) || isUpper(c) || c == '_':
		return s.scanWord(pos)
	case isDigit(c):
		return s.scanNumber(pos)
	case c == '"':
		return s.scanString(pos)
	case c == '/' && s.peek(1) == '/':
		return s.scanLineComment(pos)
	case c == '/' && s.peek(1) == '*':
		return s.scanBlockComment(pos)
	case c == '@':
		return s.scanAt(pos)
	}
	if t, n := operator(s.src[s.off:]); n > 0 {
		s.advance(n)
		return t, pos, s.lit(s.off-n, s.off)
	}
	return s.scanIllegal(pos, c)
}

// skipSpace moves over white space.
func (s *scanner) skipSpace() {
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case ' ', '\t', '\r', '\f', '\v':
			s.advance(1)
		case '\n':
			s.newline()
		default:
			return
		}
	}
}

// scanWord scans a name, a variable, a keyword or the wildcard.
func (s *scanner) scanWord(pos Pos) (token, Pos, string) {
	c := s.src[s.off]
	start := s.off
	for s.off < len(s.src) && isIdent(s.src[s.off]) {
		s.advance(1)
	}
	lit := s.lit(start, s.off)
	switch {
	case lit == "_":
		return tWild, pos, lit
	case lit == "include":
		return tInclude, pos, lit
	case lit == "notin":
		return tNotin, pos, lit
	case isUpper(c):
		return tVar, pos, lit
	case c == '_':
		s.d.errorf(pos, "invalid name %s: variables start with an upper-case letter, relations with a lower-case one (_ alone is a wildcard)", lit)
		return tIllegal, pos, lit
	}
	return tName, pos, lit
}

// scanNumber scans an integer.
func (s *scanner) scanNumber(pos Pos) (token, Pos, string) {
	start := s.off
	for s.off < len(s.src) && isDigit(s.src[s.off]) {
		s.advance(1)
	}
	if s.off < len(s.src) && isLetter(s.src[s.off]) {
		// 12abc: report once, as one illegal token.
		for s.off < len(s.src) && isIdent(s.src[s.off]) {
			s.advance(1)
		}
		s.d.errorf(pos, "invalid number %s", s.src[start:s.off])
		return tIllegal, pos, s.lit(start, s.off)
	}
	return tInt, pos, s.lit(start, s.off)
}

// scanLineComment scans a // comment up to the end of the line.
func (s *scanner) scanLineComment(pos Pos) (token, Pos, string) {
	start := s.off
	for s.off < len(s.src) && s.src[s.off] != '\n' {
		s.advanceRune()
	}
	end := s.off
	if end > start && s.src[end-1] == '\r' {
		end-- // a CRLF line ending is not part of the comment
	}
	return tComment, pos, s.lit(start, end)
}

// scanAt scans @next, @async or a lone @.
func (s *scanner) scanAt(pos Pos) (token, Pos, string) {
	rest := s.src[s.off+1:]
	if hasWord(rest, "next") {
		s.advance(5)
		return tAtNext, pos, s.lit(s.off-5, s.off)
	}
	if hasWord(rest, "async") {
		s.advance(6)
		return tAtAsync, pos, s.lit(s.off-6, s.off)
	}
	s.advance(1)
	return tAt, pos, s.lit(s.off-1, s.off)
}

// operator returns the operator or punctuation token rest starts with and
// its length in bytes, 0 if none.
func operator(rest string) (token, int) {
	if len(rest) >= 2 {
		switch rest[:2] {
		case ":-":
			return tArrow, 2
		case "==":
			return tEq, 2
		case "!=":
			return tNe, 2
		case "<=":
			return tLe, 2
		case ">=":
			return tGe, 2
		}
	}
	switch rest[0] {
	case ';':
		return tSemi, 1
	case ',':
		return tComma, 1
	case '(':
		return tLparen, 1
	case ')':
		return tRparen, 1
	case '<':
		return tLt, 1
	case '>':
		return tGt, 1
	case '+':
		return tAdd, 1
	case '-':
		return tSub, 1
	case '*':
		return tMul, 1
	case '/':
		return tDiv, 1
	case '%':
		return tMod, 1
	}
	return tEOF, 0
}

// scanIllegal reports an illegal character and skips it (a whole rune if
// valid).
func (s *scanner) scanIllegal(pos Pos, c byte) (token, Pos, string) {
	r, size := utf8.DecodeRuneInString(s.src[s.off:])
	switch {
	case r == utf8.RuneError && size == 1:
		s.d.errorf(pos, "invalid UTF-8 encoding")
	case c == '=':
		s.d.errorf(pos, "unexpected =; comparison is ==")
	case c == ':':
		s.d.errorf(pos, "unexpected :; a rule is written head :- body")
	case c == '\'':
		s.d.errorf(pos, "unexpected '; strings are written in double quotes")
		// Skip to the closing quote on this line, to report it once.
		if end := strings.IndexAny(s.src[s.off+1:], "'\n"); end >= 0 && s.src[s.off+1+end] == '\'' {
			start := s.off
			for s.off < start+end+2 {
				s.advanceRune()
			}
			return tIllegal, pos, s.lit(start, s.off)
		}
	case c == '.':
		s.d.errorf(pos, "unexpected .; clauses end with ;")
	default:
		s.d.errorf(pos, "illegal character %#U", r)
	}
	s.advance(size)
	return tIllegal, pos, s.lit(s.off-size, s.off)
}

func (s *scanner) peek(i int) byte {
	if s.off+i < len(s.src) {
		return s.src[s.off+i]
	}
	return 0
}

// hasWord reports whether rest starts with word not followed by an
// identifier character.
func hasWord(rest, word string) bool {
	return len(rest) >= len(word) && rest[:len(word)] == word &&
		(len(rest) == len(word) || !isIdent(rest[len(word)]))
}

// advanceRune moves over one rune (not a newline), reporting invalid
// UTF-8.
func (s *scanner) advanceRune() {
	c := s.src[s.off]
	if c < utf8.RuneSelf {
		s.advance(1)
		return
	}
	r, size := utf8.DecodeRuneInString(s.src[s.off:])
	if r == utf8.RuneError && size == 1 {
		s.d.errorf(s.pos(), "invalid UTF-8 encoding")
	}
	s.advance(size)
}

func (s *scanner) scanString(pos Pos) (token, Pos, string) {
	s.advance(1) // opening quote
	start := s.off
	for {
		if s.off >= len(s.src) || s.src[s.off] == '\n' {
			s.d.errorf(pos, "string not terminated")
			return tIllegal, pos, s.lit(start, s.off)
		}
		c := s.src[s.off]
		if c == '"' {
			lit := s.lit(start, s.off)
			s.advance(1)
			return tString, pos, lit
		}
		s.advanceRune()
	}
}

func (s *scanner) scanBlockComment(pos Pos) (token, Pos, string) {
	start := s.off
	s.advance(2)
	for {
		if s.off >= len(s.src) {
			s.d.errorf(pos, "comment not terminated")
			return tComment, pos, s.lit(start, len(s.src))
		}
		switch {
		case s.src[s.off] == '*' && s.peek(1) == '/':
			s.advance(2)
			return tComment, pos, s.lit(start, s.off)
		case s.src[s.off] == '\n':
			s.newline()
		default:
			s.advanceRune()
		}
	}
}

// describe renders a token for "expected X, found Y" messages.
func describe(tok token, lit string) string {
	switch tok {
	case tName:
		return "name " + lit
	case tVar:
		return "variable " + lit
	case tString:
		return fmt.Sprintf("string %q", lit)
	case tInt:
		return "integer " + lit
	case tEOF:
		return "end of file"
	case tIllegal:
		return fmt.Sprintf("%q", lit)
	case tComment:
		return "comment"
	}
	return "'" + tok.String() + "'"
}
