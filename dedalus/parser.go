package dedalus

import (
	"math"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of parenthesised expressions, so that
// pathological input cannot exhaust the stack of any later stage.
const maxDepth = 100

// maxOps bounds the binary operators of one clause (a 1 MB line of X + X +
// ... would otherwise make a tree hundreds of thousands of levels deep).
const maxOps = 10000

// parser is a recursive-descent parser with one method per grammar rule.
// It reports at most one syntax error per clause and then skips to the
// next ';' (the synchronising token).
type parser struct {
	s *scanner
	d *diags

	// The current token: its kind, position (in p.s.file) and literal
	// (p.s.src[litStart:litEnd]); see at and text.
	tok              token
	line, col        int
	litStart, litEnd int

	bad   bool // the current clause has a syntax error
	depth int  // parentheses open
	ops   int  // binary operators in the clause

	// Comments: between clauses they are collected in pending and become
	// the next clause's Doc; a comment on the line of the ';' that ended a
	// clause becomes that clause's Line comment; comments inside a clause
	// are moved before it.
	between   bool
	lastLine  int // line where the last token or comment ended
	pending   []string
	last      Clause // the last clause parsed
	afterSemi bool   // nothing but comments since last's ';'
	semiLine  int

	// AST nodes come from slabs (alloc.go), and argument and body lists
	// are collected on the scratch stacks below and then copied into a
	// slab with their exact length: parsing allocates a few chunks rather
	// than one object per node.
	vars     slab[VarExpr]
	strs     slab[StringLit]
	ints     slab[IntLit]
	wilds    slab[WildExpr]
	bins     slab[BinaryExpr]
	atoms    slab[Atom]
	atomLits slab[AtomLit]
	cmps     slab[CmpLit]
	rules    slab[RuleClause]
	facts    slab[FactClause]
	exprList slab[ExprNode]
	litList  slab[Literal]
	argStack []ExprNode
	litStack []Literal

	// exprs counts the expression nodes parsed, a size hint for the
	// checker's type nodes.
	exprs int
}

// ParseFile parses one source file. It returns the AST (never nil) and
// the syntax errors as an ErrorList (nil when there are none). The AST of a
// file with errors holds the clauses that parsed.
func ParseFile(name, src string) (*File, error) {
	d := &diags{}
	f, _ := parseFile(name, src, d)
	return f, d.result().Err()
}

// parseFile parses one file; it also returns the number of expression
// nodes, which the checker uses to size its tables.
func parseFile(name, src string, d *diags) (*File, int) {
	p := &parser{s: newScanner(name, src, d), d: d, between: true}
	p.next()
	f := &File{Name: name}
	// About one clause per line: a guess that avoids most regrowing.
	f.Clauses = make([]Clause, 0, min(strings.Count(src, ";")+1, 1<<16))
	for p.tok != tEOF {
		if d.full() {
			d.dropped = true // the rest of the file is not parsed
			break
		}
		if c := p.parseClause(); c != nil {
			f.Clauses = append(f.Clauses, c)
		}
	}
	if len(p.pending) > 0 {
		f.Comments = p.pending
	}
	if len(f.Clauses) == 0 {
		f.Clauses = nil // as before the preallocation: no clauses, nil
	}
	return f, p.exprs
}

// next moves to the next non-comment token, recording comments.
func (p *parser) next() {
	for {
		tok, pos, lit := p.s.next()
		blank := pos.Line > p.lastLine+1 && p.between && (p.last != nil || len(p.pending) > 0)
		if tok == tComment {
			switch {
			case p.afterSemi && pos.Line == p.semiLine && p.last != nil && p.last.comments().Line == "":
				p.last.comments().Line = lit
			default:
				if blank {
					p.pending = append(p.pending, "")
				}
				p.pending = append(p.pending, lit)
			}
			p.lastLine = pos.Line + strings.Count(lit, "\n")
			continue
		}
		if blank && tok != tEOF {
			p.pending = append(p.pending, "")
		}
		p.afterSemi = false
		p.tok, p.line, p.col = tok, pos.Line, pos.Col
		p.litStart, p.litEnd = p.s.litStart, p.s.litEnd
		p.lastLine = pos.Line
		return
	}
}

// at returns the position of the current token.
func (p *parser) at() Pos { return Pos{File: p.s.file, Line: p.line, Col: p.col} }

// text returns the literal of the current token.
func (p *parser) text() string { return p.s.src[p.litStart:p.litEnd] }

// errorf reports a syntax error at pos, unless the clause already has one.
func (p *parser) errorf(pos Pos, format string, args ...any) {
	if !p.bad {
		p.d.errorf(pos, format, args...)
	}
	p.bad = true
}

func (p *parser) errorExpected(what string) {
	if p.tok == tIllegal {
		// The scanner reported it already.
		p.bad = true
		return
	}
	p.errorf(p.at(), "expected %s, found %s", what, describe(p.tok, p.text()))
}

// expect consumes a token of kind tok, or reports an error. It advances
// either way unless at a ';' or the end (which belong to the clause
// level), so the parser always makes progress.
func (p *parser) expect(tok token, what string) Pos {
	pos := p.at()
	if p.tok != tok {
		p.errorExpected(what)
		if p.tok == tSemi || p.tok == tEOF {
			return pos
		}
	}
	p.next()
	return pos
}

// beginClause takes the pending comments as the new clause's Doc.
func (p *parser) beginClause() []string {
	doc := p.pending
	p.pending = nil
	p.between = false
	p.bad = false
	p.depth, p.ops = 0, 0
	return doc
}

// endClause finishes clause c (nil if it was malformed): it skips to the
// ';' after a syntax error, attaches the comments, and consumes the ';'.
func (p *parser) endClause(c Clause, doc []string) Clause {
	if !p.bad && p.tok != tSemi {
		p.errorExpected("';'")
	}
	if p.bad {
		c = nil
		for p.tok != tSemi && p.tok != tEOF {
			p.next()
		}
	}
	if c != nil {
		cm := c.comments()
		cm.Doc = append(doc, p.pending...)
		p.pending = nil
		p.last = c
	} else {
		p.pending = append(doc, p.pending...)
	}
	p.between = true
	if p.tok == tSemi {
		p.afterSemi = c != nil
		p.semiLine = p.at().Line
		p.next()
	}
	return c
}

// clause = "include" STRING ";" | fact | rule .
func (p *parser) parseClause() Clause {
	doc := p.beginClause()
	switch p.tok {
	case tInclude:
		x := &IncludeClause{IncludePos: p.at()}
		p.next()
		x.PathPos = p.at()
		if p.tok == tString {
			x.Path = p.text()
			if x.Path == "" {
				p.errorf(p.at(), "empty include path")
			}
			p.next()
		} else {
			p.errorExpected("include path (a string)")
		}
		return p.endClause(x, doc)
	case tName:
		return p.endClause(p.parseFactOrRule(), doc)
	case tVar:
		p.errorf(p.at(), "expected relation name, found variable %s (relation names start with a lower-case letter)", p.text())
	default:
		p.errorExpected("clause (a fact, a rule or include)")
	}
	return p.endClause(nil, doc)
}

// fact = atom "@" INT ";" .
// rule = head ":-" body ";" .
func (p *parser) parseFactOrRule() Clause {
	head := p.parseAtom()
	switch p.tok {
	case tAtNext, tAtAsync:
		r := p.rules.new()
		r.Head, r.Kind, r.KindPos = head, cond(p.tok == tAtNext, Next, Async), p.at()
		p.next()
		p.expect(tArrow, "':-'")
		r.Body = p.parseBody()
		return r
	case tAt:
		time, tpos := p.parseTime()
		if p.tok == tArrow {
			if !p.bad {
				p.d.errorf(tpos, "a rule head cannot have a fixed time @%d; use @next or @async (only facts carry a time)", time)
			}
			p.next()
			return p.deductive(head)
		}
		f := p.facts.new()
		f.Atom, f.Time, f.TimePos = head, time, tpos
		return f
	case tArrow:
		p.next()
		return p.deductive(head)
	case tSemi:
		p.errorf(p.at(), "a fact needs a time: write %s@1;", head)
	default:
		p.errorExpected("'@', '@next', '@async' or ':-'")
	}
	return nil
}

// deductive parses the body of a deductive rule whose ':-' is consumed.
func (p *parser) deductive(head *Atom) *RuleClause {
	r := p.rules.new()
	r.Head, r.Kind = head, Deductive
	r.Body = p.parseBody()
	return r
}

// parseTime parses "@" INT and returns the time (0 after an error).
func (p *parser) parseTime() (int64, Pos) {
	p.next() // @
	pos := p.at()
	switch p.tok {
	case tInt:
		v, ok := p.parseInt()
		if ok && v == 0 && !p.bad {
			p.d.errorf(pos, "time must be positive (times start at 1)")
		}
		return v, pos
	case tSub:
		p.next()
		if p.tok == tInt {
			p.d.errorf(pos, "time must be positive, found -%s", p.text())
			p.next()
			return 0, pos
		}
		p.errorExpected("time (a positive integer)")
	default:
		p.errorExpected("time (a positive integer) after @")
	}
	return 0, pos
}

// parseInt consumes an integer token, reporting overflow.
func (p *parser) parseInt() (int64, bool) {
	v, err := strconv.ParseInt(p.text(), 10, 64)
	if err != nil {
		p.d.errorf(p.at(), "integer constant %s too large (the largest is %d)", abbrev(p.text()), int64(math.MaxInt64))
		p.next()
		return 0, false
	}
	p.next()
	return v, true
}

// abbrev shortens long literals in messages.
func abbrev(s string) string {
	if len(s) > 40 {
		return s[:20] + "..." + s[len(s)-10:]
	}
	return s
}

// atom = name "(" [ arg { "," arg } ] ")" .
func (p *parser) parseAtom() *Atom {
	a := p.atoms.new()
	a.Name, a.NamePos = p.text(), p.at()
	p.next()
	p.parseArgs(a)
	return a
}

func (p *parser) parseArgs(a *Atom) {
	p.expect(tLparen, "'('")
	if p.tok == tRparen {
		p.next()
		return
	}
	// The stack discipline (mark, push, copy out, pop) stays correct
	// should argument lists ever nest.
	mark := len(p.argStack)
	for !p.bad {
		p.argStack = append(p.argStack, p.parseExpr())
		if p.tok != tComma {
			break
		}
		p.next()
	}
	a.Args = p.exprList.take(len(p.argStack) - mark)
	copy(a.Args, p.argStack[mark:])
	p.argStack = p.argStack[:mark]
	p.expect(tRparen, "',' or ')'")
}

// body = literal { "," literal } .
func (p *parser) parseBody() []Literal {
	mark := len(p.litStack)
	for !p.bad {
		if l := p.parseLiteral(); l != nil {
			p.litStack = append(p.litStack, l)
		}
		if p.tok != tComma {
			break
		}
		p.next()
	}
	n := len(p.litStack) - mark
	if n == 0 {
		return nil
	}
	body := p.litList.take(n)
	copy(body, p.litStack[mark:])
	p.litStack = p.litStack[:mark]
	return body
}

// literal = [ "notin" ] atom [ "@" INT ] | expr cmp expr .
func (p *parser) parseLiteral() Literal {
	switch p.tok {
	case tNotin:
		l := p.atomLits.new()
		l.Negated, l.NotinPos = true, p.at()
		p.next()
		if p.tok != tName {
			p.errorExpected("relation name after notin")
			return nil
		}
		l.Atom = p.parseAtom()
		p.parseAtTime(l)
		return l
	case tName:
		name, pos := p.text(), p.at()
		p.next()
		if name == "not" && p.tok == tName {
			p.errorf(pos, "negation is written notin")
			return nil
		}
		if p.tok == tLparen {
			l := p.atomLits.new()
			l.Atom = p.atoms.new()
			l.Atom.Name, l.Atom.NamePos = name, pos
			p.parseArgs(l.Atom)
			p.parseAtTime(l)
			return l
		}
		// A comparison starting with a bare word or an aggregate.
		return p.parseCmp(p.parseBinary(p.parseNameOperand(name, pos), 1))
	}
	return p.parseCmp(p.parseExpr())
}

func (p *parser) parseAtTime(l *AtomLit) {
	if p.tok == tAt {
		l.Time, l.TimePos = p.parseTime()
	}
}

func (p *parser) parseCmp(x ExprNode) Literal {
	if !p.tok.isCmp() {
		p.errorExpected("comparison operator (==, !=, <, <=, >, >=)")
		return nil
	}
	l := p.cmps.new()
	l.Op, l.OpPos, l.L = CmpOp(p.tok-tEq), p.at(), x
	p.next()
	l.R = p.parseExpr()
	return l
}

// expr = operand { binop operand }, with * / % binding tighter than + -.
func (p *parser) parseExpr() ExprNode {
	return p.parseBinary(p.parseOperand(), 1)
}

// parseBinary continues a binary expression whose first operand is x,
// taking operators of precedence >= prec1 (precedence climbing).
func (p *parser) parseBinary(x ExprNode, prec1 int) ExprNode {
	for !p.bad {
		prec := p.tok.precedence()
		if prec < prec1 {
			return x
		}
		op, pos := p.tok, p.at()
		if p.ops++; p.ops > maxOps {
			p.errorf(pos, "expression too long (more than %d operators in one clause)", maxOps)
			return x
		}
		p.next()
		y := p.parseOperand()
		for !p.bad && p.tok.precedence() > prec {
			y = p.parseBinary(y, prec+1)
		}
		b := p.bins.new()
		b.Op, b.OpPos, b.X, b.Y = binaryOp(op), pos, x, y
		x = b
		p.exprs++
	}
	return x
}

func binaryOp(t token) ExprOp {
	switch t {
	case tAdd:
		return ExprAdd
	case tSub:
		return ExprSub
	case tMul:
		return ExprMul
	case tDiv:
		return ExprDiv
	}
	return ExprMod
}

// operand = VAR | "_" | STRING | INT | "(" expr ")" | aggfn "<" VAR ">" .
func (p *parser) parseOperand() ExprNode {
	pos := p.at()
	if p.bad {
		return &BadExpr{At: pos}
	}
	p.exprs++
	switch p.tok {
	case tVar:
		x := p.vars.new()
		x.Name, x.NamePos = p.text(), pos
		p.next()
		return x
	case tWild:
		p.next()
		x := p.wilds.new()
		x.At = pos
		return x
	case tString:
		x := p.strs.new()
		x.Value, x.ValuePos = p.text(), pos
		p.next()
		return x
	case tInt:
		v, _ := p.parseInt()
		x := p.ints.new()
		x.Value, x.ValuePos = v, pos
		return x
	case tLparen:
		if p.depth >= maxDepth {
			p.errorf(pos, "expression nested too deeply (more than %d levels of parentheses)", maxDepth)
			return &BadExpr{At: pos}
		}
		p.depth++
		p.next()
		x := &ParenExpr{Lparen: pos, X: p.parseExpr()}
		p.depth--
		p.expect(tRparen, "')'")
		return x
	case tName:
		name := p.text()
		p.next()
		return p.parseNameOperand(name, pos)
	case tSub:
		if !p.bad {
			p.errorf(pos, "negative numbers are not supported (constants are non-negative integers)")
		}
		return &BadExpr{At: pos}
	}
	p.errorExpected("variable, _, string, integer or '('")
	return &BadExpr{At: pos, Text: p.text()}
}

// parseNameOperand handles an operand that starts with a lower-case word
// (already consumed): an aggregate fn<Var>, or a bare word, which is an
// error with a hint.
func (p *parser) parseNameOperand(name string, pos Pos) ExprNode {
	if p.tok == tLt {
		p.next()
		x := &AggExpr{Func: name, FuncPos: pos}
		switch p.tok {
		case tVar:
			x.Var = &VarExpr{Name: p.text(), NamePos: p.at()}
			p.next()
		case tWild:
			x.Var = &WildExpr{At: p.at()}
			p.next()
		default:
			p.errorExpected("variable in aggregate " + name + "<...>")
			x.Var = &BadExpr{At: p.at()}
			return x
		}
		if p.tok == tGt {
			p.next() // what expect does, without building its message
		} else {
			p.expect(tGt, "'>' to close aggregate "+name+"<...>")
		}
		return x
	}
	if p.tok == tLparen {
		p.errorf(pos, "atom %s(...) cannot be used as a column or operand", name)
		return &BadExpr{At: pos, Text: name}
	}
	p.d.errorf(pos, "bare word %s is not a constant or a variable: quote constants; variables start upper-case", name)
	return &BadExpr{At: pos, Text: name}
}
