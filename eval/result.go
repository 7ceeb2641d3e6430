package eval

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// Result is the outcome of one run: every tuple at every time, every
// message, the invariant verdict and (with Options.Provenance) every
// derivation. It is read-only and safe for concurrent readers.
type Result struct {
	r *run
}

// Tuple is a tuple of a relation at a time.
type Tuple struct {
	Rel  string
	Time int
	Args []dedalus.Value
}

// String prints the tuple in its one stable text form, used by every report
// and golden file: strings quoted, integers bare, e.g. log("b","x")@3.
func (t Tuple) String() string {
	var b strings.Builder
	b.WriteString(t.Rel)
	writeArgs(&b, t.Args)
	b.WriteString("@")
	b.WriteString(strconv.Itoa(t.Time))
	return b.String()
}

// Atom prints the tuple without its time, e.g. log("b","x").
func (t Tuple) Atom() string {
	var b strings.Builder
	b.WriteString(t.Rel)
	writeArgs(&b, t.Args)
	return b.String()
}

func writeArgs(b *strings.Builder, args []dedalus.Value) {
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(FormatValue(a))
	}
	b.WriteByte(')')
}

// FormatValue prints a value as Dedalus source: "x" or 42.
func FormatValue(v dedalus.Value) string {
	if v.Type == dedalus.TypeInt {
		return strconv.FormatInt(v.Int, 10)
	}
	return strconv.Quote(v.Str)
}

// MessageStatus is the fate of a message.
type MessageStatus uint8

const (
	// Delivered: the message is visible at its receiver at send time + 1.
	Delivered MessageStatus = iota
	// LostOmission: an omission of the schedule dropped it.
	LostOmission
	// LostCrash: its sender had crashed at or before the send time.
	LostCrash
	// AfterEOT: it would arrive after the run ends (sent at EOT, or
	// delayed past it).
	AfterEOT
	// LostPartition: a partition of the schedule separated sender and
	// receiver at the send time.
	LostPartition
)

func (s MessageStatus) String() string {
	switch s {
	case LostOmission:
		return "lost (omission)"
	case LostCrash:
		return "lost (crash)"
	case AfterEOT:
		return "after EOT"
	case LostPartition:
		return "lost (partition)"
	}
	return "delivered"
}

// Message is one @async send: a distinct (sender, head tuple, send time).
type Message struct {
	From, To string
	Rel      string
	Args     []dedalus.Value // the head tuple; Args[0] is To
	SendTime int
	Status   MessageStatus
	// Delay is how many steps late the (first) copy arrives: it arrives at
	// SendTime+1+Delay (fault.Delay; 0 on time).
	Delay int
	// Dup, when not 0, is how many steps late a second copy arrives
	// (fault.Duplicate): at SendTime+1+Dup.
	Dup int

	// eot is the run's EOT (0: unknown, for a Message built by hand): String
	// says which copies arrive after it.
	eot int
}

// Lost reports whether a fault removed the message.
func (m Message) Lost() bool {
	return m.Status == LostOmission || m.Status == LostCrash || m.Status == LostPartition
}

// Arrivals lists the times copies of a delivered message arrive, earliest
// first, within the run (<= EOT is the caller's: a Delivered message has
// at least its first arrival within it).
func (m Message) Arrivals() []int {
	if m.Lost() {
		return nil
	}
	return fault.Fate{Delay: m.Delay, Dup: m.Dup}.Arrivals(m.SendTime)
}

// String prints the message on one line, e.g.
// `a->b log("b","x") sent@1 delivered@2`. A late or duplicated message
// lists its copies in arrival order, each with how late it is:
// `delivered@4 (+2)`, `delivered@2 and @4 (dup +2)`,
// `delivered@3 (dup +1) and after EOT (+5)`, `after EOT (+2)`.
func (m Message) String() string {
	t := Tuple{Rel: m.Rel, Args: m.Args}
	s := fmt.Sprintf("%s->%s %s sent@%d ", m.From, m.To, t.Atom(), m.SendTime)
	switch {
	case m.Lost():
		return s + m.Status.String()
	case m.Delay == 0 && m.Dup == 0 && m.Status == Delivered:
		return s + fmt.Sprintf("delivered@%d", m.SendTime+1)
	case m.Delay == 0 && m.Dup == 0:
		return s + m.Status.String()
	case m.Status == AfterEOT:
		labels := slices.DeleteFunc(m.lateLabels(), func(l string) bool { return l == "" })
		return s + "after EOT (" + strings.Join(labels, ", ") + ")"
	}
	return s + m.copies()
}

// lateLabels names the copies of a late message in arrival order: "+d"
// for a delayed first copy (nothing when it is on time), "dup +d" for the
// second.
func (m Message) lateLabels() []string {
	first := ""
	if m.Delay > 0 {
		first = "+" + strconv.Itoa(m.Delay)
	}
	if m.Dup == 0 || m.Dup == m.Delay {
		return []string{first}
	}
	second := "dup +" + strconv.Itoa(m.Dup)
	if m.Dup < m.Delay {
		return []string{second, first}
	}
	return []string{first, second}
}

// copies prints the arrivals of a delivered late or duplicated message.
func (m Message) copies() string {
	var b strings.Builder
	for i, at := range m.Arrivals() {
		if i == 0 {
			b.WriteString("delivered")
		} else {
			b.WriteString(" and ")
		}
		if m.eot > 0 && at > m.eot {
			b.WriteString("after EOT")
		} else {
			b.WriteString("@" + strconv.Itoa(at))
		}
		if l := m.lateLabels()[i]; l != "" {
			b.WriteString(" (" + l + ")")
		}
	}
	return b.String()
}

// Row is one tuple of a Table.
type Row struct {
	Time int
	Args []dedalus.Value
}

// Table is every tuple of one relation over the run, sorted by time then
// columns.
type Table struct {
	Rel  string
	Rows []Row
}

// Program returns the program that ran.
func (res *Result) Program() *dedalus.Program { return res.r.e.prog }

// Params returns the run's parameters.
func (res *Result) Params() fault.Params { return res.r.p }

// Schedule returns the run's fault schedule in canonical form.
func (res *Result) Schedule() fault.Schedule { return res.r.s }

// HasInvariant reports whether the program defines pre or post.
func (res *Result) HasInvariant() bool {
	p := res.r.e.prog
	return p.Pre != dedalus.NoRel || p.Post != dedalus.NoRel
}

// Pre returns the pre tuples at EOT, sorted.
func (res *Result) Pre() []Tuple { return res.relAt(res.r.e.prog.Pre, res.r.eot, nil) }

// Violations returns the pre tuples at EOT that have no equal post tuple at
// EOT, sorted.
func (res *Result) Violations() []Tuple {
	r := res.r
	post := r.e.prog.Post
	return res.relAt(r.e.prog.Pre, r.eot, func(row []int64) bool {
		if post == dedalus.NoRel {
			return true
		}
		tb := r.tabs[post][r.eot]
		return tb == nil || tb.find(row) < 0
	})
}

// OK reports whether the invariant holds (no violations).
func (res *Result) OK() bool { return len(res.Violations()) == 0 }

// relAt returns the tuples of rel at time t that satisfy keep (all when nil).
func (res *Result) relAt(rel dedalus.RelID, t int, keep func([]int64) bool) []Tuple {
	if rel == dedalus.NoRel {
		return nil
	}
	tb := res.r.tabs[rel][t]
	if tb == nil {
		return nil
	}
	var out []Tuple
	for _, li := range res.sortedRows(int32(rel), tb) {
		if keep == nil || keep(tb.row(li)) {
			out = append(out, res.Tuple(TupleID(tb.gid[li])))
		}
	}
	return out
}

// sortedRows returns the local indexes of tb ordered by column values.
func (res *Result) sortedRows(rel int32, tb *table) []int {
	idx := make([]int, tb.len())
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return res.compareRows(rel, tb.row(a), tb.row(b)) })
	return idx
}

func (res *Result) compareRows(rel int32, a, b []int64) int {
	types := res.r.e.rels[rel].types
	for c := range a {
		if a[c] == b[c] {
			continue
		}
		if types[c] == dedalus.TypeInt {
			return cmp.Compare(a[c], b[c])
		}
		return strings.Compare(res.r.str(a[c]), res.r.str(b[c]))
	}
	return 0
}

func (res *Result) value(typ dedalus.Type, v int64) dedalus.Value {
	if typ == dedalus.TypeInt {
		return dedalus.Value{Type: dedalus.TypeInt, Int: v}
	}
	return dedalus.Value{Type: dedalus.TypeString, Str: res.r.str(v)}
}

func (res *Result) values(rel int32, row []int64) []dedalus.Value {
	types := res.r.e.rels[rel].types
	out := make([]dedalus.Value, len(row))
	for i, v := range row {
		out[i] = res.value(types[i], v)
	}
	return out
}

// Messages returns every message of the run, sorted by send time, sender,
// receiver, relation and columns.
func (res *Result) Messages() []Message {
	r := res.r
	out := make([]Message, 0, len(r.msgs))
	type keyed struct {
		m   Message
		rel int32
		row []int64
	}
	ks := make([]keyed, 0, len(r.msgs))
	for i, mr := range r.msgs {
		var late lateness
		if r.msgLate != nil {
			late = r.msgLate[i]
		}
		mt := r.msgT[mr.rel][mr.t]
		row := mt.row(int(mr.local))
		args := res.values(mr.rel, row[1:])
		m := Message{From: r.str(row[0]), To: args[0].Str, Rel: r.e.rels[mr.rel].name, Args: args,
			SendTime: int(mr.t), Status: mr.status, Delay: int(late.delay), Dup: int(late.dup), eot: r.eot}
		ks = append(ks, keyed{m, mr.rel, row[1:]})
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := cmp.Or(cmp.Compare(a.m.SendTime, b.m.SendTime), strings.Compare(a.m.From, b.m.From),
			strings.Compare(a.m.To, b.m.To), strings.Compare(a.m.Rel, b.m.Rel)); c != 0 {
			return c
		}
		return res.compareRows(a.rel, a.row, b.row)
	})
	for _, k := range ks {
		out = append(out, k.m)
	}
	return out
}

// Tables returns every relation of the program (sorted by name) with all
// its tuples over the run, sorted by time and columns.
func (res *Result) Tables() []Table {
	r := res.r
	out := make([]Table, 0, len(r.e.rels))
	for rel := range r.e.rels {
		tab := Table{Rel: r.e.rels[rel].name, Rows: []Row{}}
		for t := 1; t <= r.eot; t++ {
			tb := r.tabs[rel][t]
			if tb == nil {
				continue
			}
			for _, li := range res.sortedRows(int32(rel), tb) {
				tab.Rows = append(tab.Rows, Row{Time: t, Args: res.values(int32(rel), tb.row(li))})
			}
		}
		out = append(out, tab)
	}
	return out
}

// NumTuples returns the number of distinct tuples of the run (over all
// relations and times). TupleIDs range over 0..NumTuples()-1.
func (res *Result) NumTuples() int { return len(res.r.tupRel) }

// NumMessages returns the number of distinct messages of the run.
func (res *Result) NumMessages() int { return len(res.r.msgs) }

// TupleID identifies a tuple of one Result. IDs are assigned in the order
// tuples are first derived, so the body tuples of a tuple's first
// derivation (Derivations(id)[0]) always have smaller IDs than id; later
// derivations (through recursion) may use larger ones.
type TupleID int32

// Tuple returns the tuple with the given ID.
func (res *Result) Tuple(id TupleID) Tuple {
	r := res.r
	rel, t := r.tupRel[id], int(r.tupTime[id])
	return Tuple{Rel: r.e.rels[rel].name, Time: t, Args: res.values(rel, r.tabs[rel][t].row(int(r.tupLocal[id])))}
}

// Time returns the time of tuple id.
func (res *Result) Time(id TupleID) int { return int(res.r.tupTime[id]) }

// Rel returns the relation name of tuple id.
func (res *Result) Rel(id TupleID) string { return res.r.e.rels[res.r.tupRel[id]].name }

// Find returns the ID of rel(args...)@time, if that tuple holds.
func (res *Result) Find(rel string, time int, args ...dedalus.Value) (TupleID, bool) {
	r := res.r
	rid := r.e.prog.Rel(rel)
	if rid == dedalus.NoRel || time < 1 || time > r.eot {
		return -1, false
	}
	ri := &r.e.rels[rid]
	if len(args) != ri.arity {
		return -1, false
	}
	tb := r.tabs[rid][time]
	if tb == nil {
		return -1, false
	}
	vals := make([]int64, len(args))
	for i, a := range args {
		if a.Type != ri.types[i] {
			return -1, false
		}
		if a.Type == dedalus.TypeInt {
			vals[i] = a.Int
		} else if vals[i] = r.lookupStr(a.Str); vals[i] < 0 {
			return -1, false
		}
	}
	li := tb.find(vals)
	if li < 0 {
		return -1, false
	}
	return TupleID(tb.gid[li]), true
}

// Post returns the post tuples at EOT (the good outcomes, when the run is
// fault-free), sorted.
func (res *Result) Post() []TupleID {
	r := res.r
	post := r.e.prog.Post
	if post == dedalus.NoRel || r.tabs[post][r.eot] == nil {
		return nil
	}
	tb := r.tabs[post][r.eot]
	var out []TupleID
	for _, li := range res.sortedRows(int32(post), tb) {
		out = append(out, TupleID(tb.gid[li]))
	}
	return out
}
