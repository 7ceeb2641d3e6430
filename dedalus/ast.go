package dedalus

// The abstract syntax tree of a Dedalus source file, as parsed: nothing is
// resolved or checked yet (see check.go and lower.go). The AST is closed:
// Clause, Literal and ExprNode are interfaces with unexported marker methods,
// implemented only by the types of this file. Every node knows its
// position, and every node's String method prints it back as Dedalus
// source (printer.go).

// Node is any node of the AST.
type Node interface {
	// Pos is the position of the node's first character.
	Pos() Pos
	// String prints the node as Dedalus source in canonical form.
	String() string
}

// File is one parsed source file.
type File struct {
	Name    string
	Clauses []Clause
	// Comments holds the comments after the last clause, one entry per
	// comment, with "" standing for a blank line.
	Comments []string
}

// Comments holds the comments attached to a clause: Doc (before the
// clause, one entry per comment, "" for a blank line between clauses)
// and Line (a comment after the clause on the same line).
type Comments struct {
	Doc  []string
	Line string
}

// Clause is a top-level statement: *IncludeClause, *FactClause or *RuleClause.
type Clause interface {
	Node
	comments() *Comments
	clauseNode()
}

// IncludeClause is `include "path";`.
type IncludeClause struct {
	Comments
	IncludePos Pos
	Path       string
	PathPos    Pos
}

// FactClause is `atom@time;`. The parser accepts any expression in a column;
// the checker requires constants.
type FactClause struct {
	Comments
	Atom    *Atom
	Time    int64
	TimePos Pos
}

// RuleClause is `head[@next|@async] :- body;`.
type RuleClause struct {
	Comments
	Head    *Atom
	Kind    RuleKind // Deductive, Next or Async
	KindPos Pos      // position of @next/@async (NoPos for Deductive)
	Body    []Literal
}

// Atom is `name(args)`. In rule heads the arguments may be expressions and
// aggregates; elsewhere the checker requires terms (variables, _, and
// constants).
type Atom struct {
	Name    string
	NamePos Pos
	Args    []ExprNode
}

// Literal is a body element: *AtomLit or *CmpLit.
type Literal interface {
	Node
	literalNode()
}

// AtomLit is `[notin] atom[@time]` in a rule body. Time is 0 when the
// atom reads the current time.
type AtomLit struct {
	Negated  bool
	NotinPos Pos
	Atom     *Atom
	Time     int64
	TimePos  Pos
}

// CmpLit is `L op R` in a rule body.
type CmpLit struct {
	Op    CmpOp
	OpPos Pos
	L, R  ExprNode
}

// ExprNode is a column or operand: *VarExpr, *WildExpr, *StringLit, *IntLit,
// *BinaryExpr, *ParenExpr, *AggExpr, or *BadExpr (only in programs with
// errors).
type ExprNode interface {
	Node
	exprNode()
}

// VarExpr is a variable: an upper-case letter, then letters, digits, _.
type VarExpr struct {
	Name    string
	NamePos Pos
}

// WildExpr is the wildcard _.
type WildExpr struct {
	At Pos
}

// StringLit is a string constant (Value has no quotes).
type StringLit struct {
	Value    string
	ValuePos Pos
}

// IntLit is a non-negative integer constant.
type IntLit struct {
	Value    int64
	ValuePos Pos
}

// BinaryExpr is `X op Y` with op one of + - * / %.
type BinaryExpr struct {
	Op    ExprOp // ExprAdd ... ExprMod
	OpPos Pos
	X, Y  ExprNode
}

// ParenExpr is `(X)`.
type ParenExpr struct {
	Lparen Pos
	X      ExprNode
}

// AggExpr is `fn<Var>` in a rule head. The parser accepts any function
// name; the checker allows count, min, max and sum.
type AggExpr struct {
	Func    string
	FuncPos Pos
	Var     ExprNode // *VarExpr normally; *WildExpr is reported by the checker
}

// BadExpr stands for a malformed column that was already reported (for
// example a bare lower-case word); Text is the source text.
type BadExpr struct {
	At   Pos
	Text string
}

func (c *Comments) comments() *Comments { return c }

func (x *IncludeClause) Pos() Pos { return x.IncludePos }
func (x *FactClause) Pos() Pos    { return x.Atom.Pos() }
func (x *RuleClause) Pos() Pos    { return x.Head.Pos() }
func (x *Atom) Pos() Pos          { return x.NamePos }
func (x *AtomLit) Pos() Pos       { return cond(x.Negated, x.NotinPos, x.Atom.Pos()) }
func (x *CmpLit) Pos() Pos        { return x.L.Pos() }
func (x *VarExpr) Pos() Pos       { return x.NamePos }
func (x *WildExpr) Pos() Pos      { return x.At }
func (x *StringLit) Pos() Pos     { return x.ValuePos }
func (x *IntLit) Pos() Pos        { return x.ValuePos }
func (x *BinaryExpr) Pos() Pos    { return x.X.Pos() }
func (x *ParenExpr) Pos() Pos     { return x.Lparen }
func (x *AggExpr) Pos() Pos       { return x.FuncPos }
func (x *BadExpr) Pos() Pos       { return x.At }

func (*IncludeClause) clauseNode() {}
func (*FactClause) clauseNode()    {}
func (*RuleClause) clauseNode()    {}

func (*AtomLit) literalNode() {}
func (*CmpLit) literalNode()  {}

func (*VarExpr) exprNode()    {}
func (*WildExpr) exprNode()   {}
func (*StringLit) exprNode()  {}
func (*IntLit) exprNode()     {}
func (*BinaryExpr) exprNode() {}
func (*ParenExpr) exprNode()  {}
func (*AggExpr) exprNode()    {}
func (*BadExpr) exprNode()    {}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}
