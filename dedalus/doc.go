// Package dedalus is ldfi's front end for Dedalus programs (the language
// and its meaning are in docs/language.md): it reads source files,
// follows includes, parses, checks, and lowers a program to the resolved
// form in program.go that the evaluator runs.
//
// The stages, one file each:
//
//	token.go, scanner.go  characters -> tokens (positions, comments, lexical errors)
//	ast.go, parser.go     tokens -> AST (recursive descent, recovery at ';')
//	printer.go            AST -> canonical source (every node's String)
//	include.go, load.go   files and includes -> one list of clauses
//	check.go, stratify.go arity, types, safety, aggregates, stratification
//	lower.go              checked AST -> *Program
//	desugar.go            *Program -> the explicit form with time columns
//	errors.go             positioned diagnostics (ErrorList)
//
// Typical use:
//
//	prog, err := dedalus.LoadFiles("protocol.ded")
//	if err != nil {
//		// err is an ErrorList: every diagnostic, sorted, one per line as
//		// file:line:col: message.
//		fmt.Fprintln(os.Stderr, err)
//		os.Exit(2)
//	}
//	for _, w := range prog.Warnings { ... }  // suspicious but legal things
//	for _, r := range prog.Rules { ... }     // resolved, stratified rules
//
// Vet returns every diagnostic (errors and warnings) even for a valid
// program; ParseFile parses one file without checking it, for tools such
// as `ldfi fmt`; Desugar prints what a program means.
//
// Every problem in the input is a diagnostic with a position, never a
// panic: the scanner and parser always make progress, nesting and
// expression length are bounded, and errors are capped (fuzz_test.go
// exercises this).
package dedalus
