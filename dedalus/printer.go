package dedalus

import (
	"strconv"
	"strings"
)

// The printer: every node prints as valid Dedalus in canonical form (one
// clause per line, ", " between columns and literals, spaces around
// operators, comments kept, at most one blank line between clauses).
// parse(print(f)) equals f up to positions (printer_test.go).

var exprOpText = [...]string{ExprAdd: "+", ExprSub: "-", ExprMul: "*", ExprDiv: "/", ExprMod: "%"}

var cmpOpText = [...]string{CmpEq: "==", CmpNe: "!=", CmpLt: "<", CmpLe: "<=", CmpGt: ">", CmpGe: ">="}

func (op ExprOp) String() string {
	if int(op) < len(exprOpText) && exprOpText[op] != "" {
		return exprOpText[op]
	}
	return "?"
}

func (op CmpOp) String() string {
	if int(op) < len(cmpOpText) {
		return cmpOpText[op]
	}
	return "?"
}

var aggNames = [...]string{AggCount: "count", AggMin: "min", AggMax: "max", AggSum: "sum"}

func (f AggFunc) String() string {
	if f != AggNone && int(f) < len(aggNames) {
		return aggNames[f]
	}
	return "none"
}

func (x *VarExpr) String() string    { return x.Name }
func (x *WildExpr) String() string   { return "_" }
func (x *StringLit) String() string  { return `"` + x.Value + `"` }
func (x *IntLit) String() string     { return strconv.FormatInt(x.Value, 10) }
func (x *BadExpr) String() string    { return x.Text }
func (x *ParenExpr) String() string  { return nodeString(x) }
func (x *AggExpr) String() string    { return nodeString(x) }
func (x *BinaryExpr) String() string { return nodeString(x) }
func (x *Atom) String() string       { return nodeString(x) }
func (x *AtomLit) String() string    { return nodeString(x) }
func (x *CmpLit) String() string     { return nodeString(x) }
func (x *IncludeClause) String() string {
	return nodeString(x)
}
func (x *FactClause) String() string { return nodeString(x) }
func (x *RuleClause) String() string { return nodeString(x) }

// nodeString prints n through a single builder, so that printing is linear
// in the size of the output however deep the tree.
func nodeString(n Node) string {
	var b strings.Builder
	writeNode(&b, n)
	return b.String()
}

func writeNode(b *strings.Builder, n Node) {
	switch x := n.(type) {
	case *VarExpr:
		b.WriteString(x.Name)
	case *StringLit:
		b.WriteByte('"')
		b.WriteString(x.Value)
		b.WriteByte('"')
	case *IntLit:
		writeInt(b, x.Value)
	case *WildExpr, *BadExpr:
		b.WriteString(x.String())
	case *ParenExpr:
		b.WriteByte('(')
		writeNode(b, x.X)
		b.WriteByte(')')
	case *AggExpr:
		b.WriteString(x.Func)
		b.WriteByte('<')
		writeNode(b, x.Var)
		b.WriteByte('>')
	case *BinaryExpr:
		writeNode(b, x.X)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		writeNode(b, x.Y)
	default:
		writeClausePart(b, n)
	}
}

// writeClausePart writes the nodes above expressions: atoms, body
// literals and clauses (writeNode writes the expressions, the most
// numerous, itself).
func writeClausePart(b *strings.Builder, n Node) {
	switch x := n.(type) {
	case *Atom:
		b.WriteString(x.Name)
		b.WriteByte('(')
		for i, a := range x.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeNode(b, a)
		}
		b.WriteByte(')')
	case *AtomLit:
		if x.Negated {
			b.WriteString("notin ")
		}
		writeNode(b, x.Atom)
		if x.Time != 0 {
			b.WriteByte('@')
			writeInt(b, x.Time)
		}
	case *CmpLit:
		writeNode(b, x.L)
		b.WriteByte(' ')
		b.WriteString(x.Op.String())
		b.WriteByte(' ')
		writeNode(b, x.R)
	case *IncludeClause:
		b.WriteString(`include "`)
		b.WriteString(x.Path)
		b.WriteString(`";`)
	case *FactClause:
		writeNode(b, x.Atom)
		b.WriteByte('@')
		writeInt(b, x.Time)
		b.WriteByte(';')
	case *RuleClause:
		writeRuleClause(b, x)
	case *File:
		b.WriteString(x.String())
	}
}

// writeRuleClause writes a rule: head, time suffix, body.
func writeRuleClause(b *strings.Builder, x *RuleClause) {
	writeNode(b, x.Head)
	switch x.Kind {
	case Next:
		b.WriteString("@next")
	case Async:
		b.WriteString("@async")
	}
	b.WriteString(" :- ")
	for i, l := range x.Body {
		if i > 0 {
			b.WriteString(", ")
		}
		writeNode(b, l)
	}
	b.WriteByte(';')
}

// writeInt writes v in decimal without allocating.
func writeInt(b *strings.Builder, v int64) {
	var buf [20]byte
	b.Write(strconv.AppendInt(buf[:0], v, 10))
}

// Pos of a file is the start of its first clause.
func (f *File) Pos() Pos {
	if len(f.Clauses) > 0 {
		return f.Clauses[0].Pos()
	}
	return Pos{File: f.Name, Line: 1, Col: 1}
}

// String prints the whole file in canonical form, comments included.
func (f *File) String() string {
	var b strings.Builder
	started := false
	writeComments := func(cs []string) {
		blank := false
		for _, c := range cs {
			if c == "" {
				blank = true
				continue
			}
			if blank && started {
				b.WriteByte('\n')
			}
			blank = false
			b.WriteString(c)
			b.WriteByte('\n')
			started = true
		}
		if blank && started {
			b.WriteByte('\n')
		}
	}
	for _, c := range f.Clauses {
		cm := c.comments()
		writeComments(cm.Doc)
		writeNode(&b, c)
		if cm.Line != "" {
			b.WriteByte(' ')
			b.WriteString(cm.Line)
		}
		b.WriteByte('\n')
		started = true
	}
	writeComments(trimTrailingBlanks(f.Comments))
	return b.String()
}

func trimTrailingBlanks(cs []string) []string {
	for len(cs) > 0 && cs[len(cs)-1] == "" {
		cs = cs[:len(cs)-1]
	}
	return cs
}
