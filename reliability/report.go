package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// resultRow is one row of the results table of docs/RELIABILITY.md.
type resultRow struct {
	ID, Engine, What, Command               string
	Attempted, OK, C5xx, Hung, Panics, Lost string
	Figures                                 string
}

// results is what a run of the command writes into docs/RELIABILITY.md.
type results struct {
	started time.Time
	elapsed time.Duration
	command string
	machine string
	engines []string // one line per engine the run drove (engineLine)
	fo      faultOptions
	// faultEngines are the Titles of the engines the fault runs ran on.
	faultEngines []string
	passed       bool
	rows         []resultRow
}

func (r *results) add(row resultRow) { r.rows = append(r.rows, row) }

// sortRows puts the rows in table order, by the number their ID starts
// with, keeping the order they were added in within one number (engines in
// table order, 6.1 before 6.2, 3 before 3′): restart runs last but its
// rows come first.
func (r *results) sortRows() {
	slices.SortStableFunc(r.rows, func(a, b resultRow) int { return rowNumber(a.ID) - rowNumber(b.ID) })
}

// rowNumber is the number an ID starts with ("6.2": 6, "4′": 4); an ID
// without one sorts last.
func rowNumber(id string) int {
	n, digits := 0, 0
	for _, c := range id {
		if c < '0' || c > '9' {
			break
		}
		n, digits = n*10+int(c-'0'), digits+1
	}
	if digits == 0 {
		return 1 << 30
	}
	return n
}

// cell escapes a table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func ms(d time.Duration) string {
	if d < 0 {
		return "none"
	}
	return d.Round(time.Millisecond).String()
}

// markdown renders the results table with the run's date, command and
// machine above it.
func (r *results) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Run of %s\n\n", r.started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Command: `%s` (took %s)\n", r.command, r.elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %s\n", r.machine)
	fmt.Fprintf(&b, "- Go %s\n", strings.TrimPrefix(runtime.Version(), "go"))
	for _, l := range r.engines {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	if r.fo.Clients > 0 {
		fmt.Fprintf(&b, "- Fault runs (%s): %d clients, `QueryTimeout` %s unless the row says otherwise, a pool of %d connections, faults lasting %s, load kept on %s after each\n",
			strings.Join(r.faultEngines, ", "), r.fo.Clients, r.fo.QueryTimeout, r.fo.MaxConns, r.fo.Outage, r.fo.After)
	}
	fmt.Fprintf(&b, "- The app's pool: %d connections on every engine (SQLite: database/sql's open connections), unless the row says otherwise\n", defaultPoolSize)
	result := "PASS (every run met its checks)"
	if !r.passed {
		result = "**FAIL** (see the command's output)"
	}
	fmt.Fprintf(&b, "- Result: %s\n\n", result)
	b.WriteString("| # | Engine | Fault or input | Command | Attempted | 2xx | 5xx | Hung | Panics | Lost | Other figures |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, w := range r.rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			cell(w.ID), cell(w.Engine), cell(w.What), cell(w.Command), cell(w.Attempted), cell(w.OK), cell(w.C5xx), cell(w.Hung), cell(w.Panics), cell(w.Lost), cell(w.Figures))
	}
	return b.String()
}

func itoa[T ~int | ~int64](n T) string { return fmt.Sprint(n) }

// faultRow is the row of a fault under load.
func faultRow(rep *faultReport) resultRow {
	t, f := rep.Total, rep.Fault
	fig := fmt.Sprintf("Slowest 5xx during the fault: %s; 5xx other than 503: %d. First 2xx %s after the fault ended; ", ms(rep.During.Max5xx), t.Not503, ms(rep.FirstOK))
	if rep.LastFail < 0 || rep.LastFail < rep.FirstOK {
		fig += "no failure after it."
	} else {
		fig += fmt.Sprintf("last failure %s after it (limit 2s).", ms(rep.LastFail))
	}
	for _, n := range rep.Notes {
		fig += " " + strings.ToUpper(n[:1]) + n[1:] + "."
	}
	fig += loggedErrors(rep.Errors)
	if f.QueryTimeout > 0 {
		fig += fmt.Sprintf(" `QueryTimeout` %s.", f.QueryTimeout)
	}
	return resultRow{ID: f.ID, Engine: rep.Engine.Title, What: f.What, Command: rep.Engine.command(f.Run, f.Test),
		Attempted: itoa(t.Attempted), OK: itoa(t.OK), C5xx: itoa(t.C5xx), Hung: itoa(t.Hung), Panics: itoa(rep.Panics), Lost: itoa(t.Lost), Figures: fig}
}

// bouncerRow is the row of the PgBouncer load: the first safe mode's
// counts, the others' in the figures.
func bouncerRow(modes []*bouncerMode, contract string) resultRow {
	row := resultRow{ID: "4", Engine: "PostgreSQL", What: "PgBouncer, `pool_mode = transaction`, `sessionrt.Config.TransactionPooler` set; 16 clients for 8 s per pgx exec mode",
		Command: "`go run ./reliability -only pgbouncer`"}
	var others, refused []string
	for _, m := range modes {
		switch {
		case m.Refused != nil:
			refused = append(refused, "`"+strings.TrimSuffix(m.Mode, " (pgx default)")+"`")
		case row.Attempted == "":
			row.Attempted, row.OK, row.C5xx, row.Hung, row.Panics, row.Lost = itoa(m.Load.Attempted), itoa(m.Load.OK), itoa(m.Load.C5xx), itoa(m.Load.Hung), itoa(m.Panics), itoa(m.Load.Lost)
			row.Figures = fmt.Sprintf("These counts are `%s`.", m.Mode)
		default:
			others = append(others, fmt.Sprintf("`%s`: %d requests, %d errors, %d lost", m.Mode, m.Load.Attempted, m.Errors, m.Load.Lost))
		}
	}
	if len(others) > 0 {
		row.Figures += " " + strings.Join(others, "; ") + "."
	}
	if len(refused) > 0 {
		row.Figures += " Refused at start: " + strings.Join(refused, ", ") + "."
	}
	if contract != "" {
		row.Figures += " `go test ./example/app/` through PgBouncer (`cache_describe`): " + contract + "."
	}
	return row
}

// cacheBouncerRow is the row of the session cache behind PgBouncer.
func cacheBouncerRow(r *cacheBouncerRun) resultRow {
	return resultRow{ID: "4′", Engine: "PostgreSQL", What: "The session cache behind PgBouncer: two app instances, queries through PgBouncer (`cache_describe`), cache listeners on direct connections (`Cache.ListenURL`), 16 clients for 8 s",
		Command: "same", Attempted: itoa(r.Load.Attempted), OK: itoa(r.Load.OK), C5xx: itoa(r.Load.C5xx), Hung: "0", Panics: "0", Lost: itoa(r.Load.Lost),
		Figures: fmt.Sprintf("Errors: %d. B answered %d reads from its cache. %d logouts on A: the slowest first rejection on B came %s after the logout returned; %d reads were accepted on B later than 100ms after it.",
			r.Errors, r.Hits, r.Revocations, ms(r.Slowest), r.AcceptedLate)}
}

// soakRow is the row of the soak.
func soakRow(rep *soakReport) resultRow {
	l := rep.Load
	lo, hi := rep.End, rep.End
	if len(rep.Samples) > 0 {
		lo, hi = rep.Samples[0], rep.Samples[0]
	}
	for _, s := range rep.Samples {
		lo.Goroutines, hi.Goroutines = min(lo.Goroutines, s.Goroutines), max(hi.Goroutines, s.Goroutines)
		lo.HeapAlloc, hi.HeapAlloc = min(lo.HeapAlloc, s.HeapAlloc), max(hi.HeapAlloc, s.HeapAlloc)
	}
	return resultRow{ID: "5", Engine: rep.Engine.Title, What: fmt.Sprintf("Soak: %d clients mixing every endpoint for %s", rep.Clients, rep.Duration),
		Command: rep.Engine.command("soak", ""), Attempted: itoa(l.Attempted), OK: itoa(l.OK), C5xx: itoa(l.C5xx), Hung: itoa(l.Hung), Panics: itoa(rep.Panics), Lost: itoa(l.Lost),
		Figures: fmt.Sprintf("**Errors: %d** (5xx, hung, no answer, unexpected 4xx). The %d 4xx answered bob sessions that another client's logout-all had ended (%d such checks excused). %d sessions verified at the end. %.0f req/s; slowest request %s. **Goroutines %d → %d, heap %s → %s** (samples every 10 s: %d–%d goroutines, %s–%s).",
			rep.Errors, l.C4xx, rep.Excused, rep.FinalOK, float64(l.Attempted)/rep.Duration.Seconds(), ms(l.P99),
			rep.Start.Goroutines, rep.End.Goroutines, mib(rep.Start.HeapAlloc), mib(rep.End.HeapAlloc), lo.Goroutines, hi.Goroutines, mib(lo.HeapAlloc), mib(hi.HeapAlloc)) + loggedErrors(rep.Logged)}
}

// loggedErrors is the sentence of a row naming the errors the app logged,
// "" when there were none.
func loggedErrors(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	return " Errors the app logged: " + errorSummary(m) + "."
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// inputRows are the rows of the hostile inputs on e, one per case.
func inputRows(e *engine, cases []inputCase) []resultRow {
	var out []resultRow
	for i, c := range cases {
		code, rest, _ := strings.Cut(c.Got, " ")
		ok, c5xx := "—", "0"
		if strings.HasPrefix(code, "2") {
			ok = "1"
		} else if strings.HasPrefix(code, "5") {
			c5xx = "1"
		}
		fig := fmt.Sprintf("Answered %s in %s (expected: %s).", code, ms(c.Took), c.Want)
		if _, e, found := strings.Cut(rest, "; error: "); found {
			fig += " Error: `" + e + "`."
		}
		if c.Failed != "" {
			fig += " **FAIL: " + c.Failed + "**."
		}
		cmd := "same"
		if i == 0 {
			cmd = e.command("inputs", "TestOversizedInputs")
		}
		out = append(out, resultRow{ID: fmt.Sprintf("6.%d", i+1), Engine: e.Title, What: c.Name, Command: cmd,
			Attempted: "1", OK: ok, C5xx: c5xx, Hung: "0", Panics: "0", Lost: "0", Figures: fig})
	}
	return out
}

// corpusRow sums up the migration corpus on e.
func corpusRow(e *engine, reps []corpusReport, rows int) resultRow {
	okN, ran, failed := 0, 0, []string{}
	var notes, refused []string
	for _, r := range reps {
		if r.Refused != "" {
			refused = append(refused, r.Name+" ("+r.Refused+")")
			continue
		}
		ran++
		if r.Err != nil {
			failed = append(failed, r.Name+": "+r.Err.Error())
			continue
		}
		okN++
		for _, n := range r.Notes {
			notes = append(notes, r.Name+" "+n)
		}
	}
	what := fmt.Sprintf("Every migration plan in `generator/testdata/migrate/*.sql` up → down → up with dbmate, %d live sessions", rows)
	if e.Dialect.Name() != "postgresql" {
		what = fmt.Sprintf("Every migration plan in `generator/testdata/migrate/*.sql`, planned again by the %s dialect from the same starting and wanted tables, up → down → up with dbmate, %d live sessions", e.Title, rows)
	}
	fig := "Every value of every session survives every step, renamed columns followed."
	if okN == 0 {
		fig = ""
	}
	if len(notes) > 0 {
		fig += " By design: " + strings.Join(notes, "; ") + "."
	}
	if len(refused) > 0 {
		fig += fmt.Sprintf(" Not run on %s, whose dialect plans no migration for them (its own words): %s.", e.Title, strings.Join(refused, "; "))
	}
	if len(failed) > 0 {
		fig += " **FAIL: " + strings.Join(failed, "; ") + "**."
	}
	return resultRow{ID: "7", Engine: e.Title, What: what,
		Command:   e.command("corpus", "TestMigrationCorpus") + " (the test: 200 rows)",
		Attempted: itoa(ran), OK: fmt.Sprintf("%d ok", okN), C5xx: "—", Hung: "—", Panics: "—", Lost: itoa(len(failed)), Figures: strings.TrimSpace(fig)}
}

// deployRow is the row of the old code on the new schema.
func deployRow(rep *schemaChangeReport) resultRow {
	return resultRow{ID: "8", Engine: rep.Engine.Title, What: "Old code, new schema: the additive migration for a new field ``Locale string `session:\"locale,index\"` `` applied, then rolled back, under traffic",
		Command:   rep.Engine.command("deploy", "TestOldCodeNewSchema"),
		Attempted: itoa(rep.Load.Attempted), OK: itoa(rep.Load.OK), C5xx: itoa(rep.Load.C5xx), Hung: itoa(rep.Load.Hung), Panics: itoa(rep.Panics), Lost: itoa(rep.Load.Lost),
		Figures: fmt.Sprintf("Up (%s) took %s, down %s. %d sessions verified at the end.", rep.Engine.addColumnNote, ms(rep.UpTook), ms(rep.DownTook), rep.FinalOK)}
}

// indexRow is the row of the index migration on a large table.
func indexRow(rep *indexReport, clients int) resultRow {
	e := rep.Engine
	return resultRow{ID: "9", Engine: e.Title, What: fmt.Sprintf("The index migration (%s) on %d session rows under mixed load (%d clients)", e.indexBuild, rep.Rows, clients),
		Command:   e.command("index", "TestIndexConcurrently") + " (the test: 100k rows)",
		Attempted: itoa(rep.Load.Attempted), OK: itoa(rep.Load.OK), C5xx: itoa(rep.Load.C5xx), Hung: itoa(rep.Load.Hung), Panics: "0", Lost: itoa(rep.Load.Lost),
		Figures: fmt.Sprintf("The migration took %s. **Longest read during the build: %s** (%d reads overlapped it), %s before it; longest write during the build: %s (%d writes). %s",
			ms(rep.IndexTook), ms(rep.Stall), rep.Reads, ms(rep.BaselineStall), ms(rep.WriteStall), rep.Writes, e.indexNote)}
}

// writersRow is the row of the concurrent writers on shared sessions.
func writersRow(rep *writersReport) resultRow {
	e, o, l := rep.Engine, rep.Opt, rep.Load
	return resultRow{ID: "10", Engine: e.Title,
		What:      fmt.Sprintf("Concurrent writers: %d sessions, %d clients on each sharing its cookie, `POST /counter` and `POST /cart` for %s", o.Sessions, o.Writers, o.Duration),
		Command:   e.command("writers", "TestConcurrentWriters"),
		Attempted: itoa(l.Attempted), OK: itoa(l.OK), C5xx: itoa(l.C5xx), Hung: itoa(l.Hung), Panics: itoa(rep.Panics), Lost: itoa(rep.Lost),
		Figures: fmt.Sprintf("**Lost updates: %d** (%d counter increments and %d cart items acknowledged; every counter value answered once, the final counter and cart hold every one). %.0f writes/s; slowest write %s. Writers meet on %s.",
			rep.Lost, rep.CounterAcks, rep.CartAcks, float64(l.Attempted)/o.Duration.Seconds(), ms(rep.MaxWrite), e.Lock)}
}

// machine describes the host: core count and CPU model.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				if _, v, ok := strings.Cut(line, ":"); ok {
					model = strings.TrimSpace(v)
				}
				break
			}
		}
	}
	return fmt.Sprintf("%d cores (nproc), %s, %s/%s", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH)
}

// command is the row's command for run on e, with its short test.
func (e *engine) command(run, test string) string {
	c := fmt.Sprintf("`go run ./reliability -only %s -engine %s`", run, e.Name)
	if test != "" {
		c += fmt.Sprintf(" (short version: `go test -run '%s/%s' ./reliability`)", test, e.Name)
	}
	return c
}

// engineLine describes e for the table's header: version, where its
// databases live, how its writers meet.
func engineLine(ctx context.Context, e *engine) string {
	return fmt.Sprintf("%s %s, %s; concurrent writers: %s", e.Title, e.version(ctx), e.Where, e.Lock)
}

// serverVersion is PostgreSQL's version string, short form.
func serverVersion(ctx context.Context) string {
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return "unknown"
	}
	defer conn.Close(context.Background())
	var v string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}
