package eval

// TuplesAt returns the IDs of every tuple of relation rel at time t, in
// sorted tuple order (none for an unknown relation or time).
func (res *Result) TuplesAt(rel string, t int) []TupleID {
	r := res.r
	rid := r.e.prog.Rel(rel)
	if rid < 0 || t < 1 || t > r.eot || r.tabs[rid][t] == nil {
		return nil
	}
	tb := r.tabs[rid][t]
	var out []TupleID
	for _, li := range res.sortedRows(int32(rid), tb) {
		out = append(out, TupleID(tb.gid[li]))
	}
	return out
}
