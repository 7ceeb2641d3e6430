package dedalus

// This file defines the lowered Program: the checked, resolved and stratified
// form of a Dedalus program that the evaluator consumes. It is the contract
// between the front end (this package) and eval: eval imports these types and
// never the parser or the AST.
//
// Everything here is plain data, built once per program, with slices ordered
// deterministically (relations by name, rules and facts in source order).

// Type is the type of a relation column or of an expression.
type Type uint8

const (
	TypeUnknown Type = iota
	// TypeString holds string constants, including node names (locations).
	TypeString
	// TypeInt holds 64-bit signed integers.
	TypeInt
)

func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeInt:
		return "int"
	}
	return "unknown"
}

// Value is a constant: a string or an integer, as its Type says.
type Value struct {
	Type Type
	Str  string
	Int  int64
}

// RelID indexes Program.Relations.
type RelID int32

// NoRel marks an absent relation (for example a program without pre/post).
const NoRel RelID = -1

// Relation describes one relation (predicate) of the program.
type Relation struct {
	Name  string
	Arity int
	// Types has one entry per column. Column 0 is the location (TypeString).
	Types []Type
	// Pos is the first place the relation appears (NoPos for built-ins).
	Pos Pos
	// Builtin is true for relations the runtime provides (crash).
	Builtin bool
	// Stratum is the evaluation stratum of the relation's same-timestep
	// (deductive) rules; relations defined only by facts, @next, @async or the
	// runtime are in stratum 0.
	Stratum int
}

// RuleKind says when a rule's conclusions appear.
type RuleKind uint8

const (
	// Deductive rules derive their head at the same node and timestep.
	Deductive RuleKind = iota
	// Next rules (@next) derive their head at the same node at t+1.
	Next
	// Async rules (@async) send their head as a message from the rule's node
	// to the node in the head's first column, visible there at t+1.
	Async
)

func (k RuleKind) String() string {
	switch k {
	case Next:
		return "@next"
	case Async:
		return "@async"
	}
	return "deductive"
}

// ExprOp is the operator of an Expr node.
type ExprOp uint8

const (
	ExprVar   ExprOp = iota // a rule variable: Expr.Var
	ExprConst               // a constant: Expr.Const
	ExprAdd                 // L + R
	ExprSub                 // L - R
	ExprMul                 // L * R
	ExprDiv                 // L / R (integer division; division by zero makes the binding fail)
	ExprMod                 // L % R (likewise)
)

// Expr is an arithmetic expression over rule variables and constants.
// Arithmetic operators apply to integers only (the checker guarantees it).
type Expr struct {
	Op    ExprOp
	Var   int // for ExprVar: index into Rule.VarNames
	Const Value
	L, R  *Expr
	Type  Type
}

// Term is one argument of a body atom: a variable, a constant, or a wildcard.
type Term struct {
	// Var is the variable index into Rule.VarNames, or -1 for a constant or
	// a wildcard.
	Var int
	// IsConst reports whether Const holds the term's value.
	IsConst bool
	Const   Value
}

// IsWildcard reports whether the term matches anything and binds nothing.
func (t Term) IsWildcard() bool { return t.Var < 0 && !t.IsConst }

// CmpOp is a comparison operator.
type CmpOp uint8

const (
	CmpEq CmpOp = iota // ==
	CmpNe              // !=
	CmpLt              // <
	CmpLe              // <=
	CmpGt              // >
	CmpGe              // >=
)

// AggFunc is an aggregate function in a rule head.
type AggFunc uint8

const (
	AggNone AggFunc = iota
	AggCount
	AggMin
	AggMax
	AggSum
)

// BodyAtom is a (possibly negated) atom in a rule body.
type BodyAtom struct {
	Rel     RelID
	Args    []Term
	Negated bool
	// AtTime is the fixed time k of `rel(...)@k`, or 0 for "the current time".
	AtTime int
	Pos    Pos
}

// Comparison is `L op R` in a rule body.
type Comparison struct {
	Op   CmpOp
	L, R *Expr
	Pos  Pos
}

// HeadArg is one column of a rule head: an expression, or an aggregate over
// a variable (Agg != AggNone, Var set, Expr nil).
type HeadArg struct {
	Expr *Expr
	Agg  AggFunc
	Var  int
}

// Rule is one lowered rule.
type Rule struct {
	// Index is the rule's position in Program.Rules.
	Index int
	Kind  RuleKind
	Head  RelID
	Args  []HeadArg
	// Body holds the atoms, positive ones first in source order, then the
	// negated ones in source order.
	Body []BodyAtom
	Cmps []Comparison
	// VarNames names the rule's variables; wildcards get no variable.
	VarNames []string
	// NodeVar/NodeConst give the rule's node: the first column of its first
	// positive body atom (a variable index, or -1 with NodeConst set).
	NodeVar   int
	NodeConst Value
	// HasAgg reports whether any head column is an aggregate.
	HasAgg bool
	// Stratum is the head relation's stratum for Deductive rules. Next and
	// Async rules are evaluated after all strata of a timestep have reached
	// their fixpoint; their Stratum is the highest stratum of their body.
	Stratum int
	// Pos is the position of the rule's head; Text is the rule as written
	// (canonical form), for reports and derivation trees.
	Pos  Pos
	Text string
}

// Fact is a ground tuple holding at one time.
type Fact struct {
	Rel  RelID
	Args []Value
	Time int
	Pos  Pos
}

// SourceFile is one loaded source file.
type SourceFile struct {
	Path   string // as given or resolved (relative to the working directory when possible)
	SHA256 string // hex digest of the content
	Text   string
}

// Program is a checked, desugared, stratified Dedalus program.
type Program struct {
	Files     []SourceFile
	Relations []Relation // sorted by name; RelID indexes this slice
	Rules     []Rule     // in source order
	Facts     []Fact     // in source order
	// NumStrata is 1 + the highest stratum.
	NumStrata int
	// Pre, Post and Crash are the invariant relations and the built-in crash
	// relation (NoRel when the program does not use them; Crash is always
	// present since the runtime provides it).
	Pre, Post, Crash RelID
	// Warnings holds the front end's warnings (suspicious but legal
	// things, such as a relation read but never defined), sorted.
	Warnings ErrorList
}

// Rel returns the relation ID for name, or NoRel.
func (p *Program) Rel(name string) RelID {
	lo, hi := 0, len(p.Relations)
	for lo < hi {
		m := (lo + hi) / 2
		if p.Relations[m].Name < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(p.Relations) && p.Relations[lo].Name == name {
		return RelID(lo)
	}
	return NoRel
}
