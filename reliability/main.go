// Command reliability runs sessiongen's long fault, soak, concurrency,
// input and schema-change runs against the example application, prints
// what it sees and, when every run ran on every engine, rewrites the
// results table of docs/RELIABILITY.md (between its markers). Short
// versions of most runs are in go test ./reliability.
//
//	go run ./reliability                          # everything on every engine; rewrites the table
//	go run ./reliability -only terminate,lock     # some runs; prints only
//	go run ./reliability -only soak -engine sqlite # one run on one engine; prints only
//	go run ./reliability -write=false             # everything; prints the table only
//
// The engine-neutral runs (inputs, soak, writers, corpus, deploy, index)
// run once per engine of -engine (PostgreSQL, SQLite, MySQL). The fault
// runs (restart, terminate, lock) need a server: each engine's entry lists
// its own (PostgreSQL: pg_ctlcluster, pg_terminate_backend, LOCK TABLE;
// MySQL: mariadb-admin shutdown and mariadbd, KILL, rows locked with
// SELECT … FOR UPDATE and innodb_lock_wait_timeout either side of
// QueryTimeout), and they run on the engines of -engine that have them;
// pgbouncer is PostgreSQL's.
//
// The restart run stops and starts the shared servers (pg_ctlcluster needs
// root or the postgres user; MariaDB is started as scripts/ensure-mariadb.sh
// does, which needs root): do not run it while other tests use them. It
// runs last, so that a server that does not come back fails no other run,
// and waits until the server answers again. The pgbouncer run installs
// Debian's pgbouncer if it is missing (-install=false to refuse) and runs
// it as the postgres user.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/internal/doctable"
)

// runInfo is one run of the command.
type runInfo struct {
	Name  string
	About string // for -h
	// on reports whether the run runs on e; nil: on every engine.
	on func(e *engine) bool
}

// hasFault is runInfo.on of a fault run: the engines whose entry lists it.
func hasFault(run string) func(e *engine) bool {
	return func(e *engine) bool { return len(e.faultsOf(run)) > 0 }
}

// runs lists the runs in table order.
func runs() []runInfo {
	return []runInfo{
		{"restart", "the database server stopped and started mid-load (PostgreSQL: pg_ctlcluster; MySQL: mariadb-admin shutdown, then mariadbd); runs last", hasFault("restart")},
		{"terminate", "every pool connection killed (PostgreSQL: pg_terminate_backend; MySQL: KILL)", hasFault("terminate")},
		{"lock", "held mid-load: LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE (PostgreSQL); every session row locked with SELECT … FOR UPDATE, innodb_lock_wait_timeout longer, then shorter than QueryTimeout (MySQL)", hasFault("lock")},
		{"pgbouncer", "the app behind PgBouncer in transaction pooling mode", func(e *engine) bool { return e.Name == "postgresql" }},
		{"soak", "concurrency: -soak-clients clients mixing every endpoint for -soak, lost updates, goroutines and heap", nil},
		{"inputs", "hostile input: oversized and malformed cookies, JSON fields over the payload limit", nil},
		{"corpus", "evolution: every plan of the generator's migration corpus up, down, up with live sessions", nil},
		{"deploy", "evolution: the additive migration of a new field applied and rolled back under load", nil},
		{"index", "evolution: the index migration on -rows sessions under load", nil},
		{"writers", "concurrency: -writers clients per session writing the same sessions at once, lost updates", nil},
	}
}

// enginesOf returns the engines of list the run runs on.
func (r runInfo) enginesOf(list []*engine) []*engine {
	var out []*engine
	for _, e := range list {
		if r.on == nil || r.on(e) {
			out = append(out, e)
		}
	}
	return out
}

// titles are the engines' Titles.
func titles(list []*engine) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Title)
	}
	return out
}

func runNames() []string {
	var out []string
	for _, r := range runs() {
		out = append(out, r.Name)
	}
	return out
}

// usage is -h: the flags, and how the runs, the engines and the doc's
// table go together.
func usage() {
	w := flag.CommandLine.Output()
	fmt.Fprintf(w, `Usage: go run ./reliability [flags]

Runs sessiongen's reliability runs against the example application and
checks them. The runs (-only):

`)
	for _, r := range runs() {
		fmt.Fprintf(w, "  %-10s %s\n  %-10s engines: %s\n", r.Name, r.About, "", strings.Join(titles(r.enginesOf(engines())), ", "))
	}
	fmt.Fprintf(w, `
Engines (-engine): %s. PostgreSQL runs on SESSIONGEN_TEST_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/test), MySQL on
SESSIONGEN_MYSQL_URL (default mysql://root@127.0.0.1:3306/test, the
machine's MariaDB: scripts/ensure-mariadb.sh starts it), a scratch database
per run; SQLite on a file per run in the temporary directory. A run runs on
each engine of -engine it applies to.

The results table of -doc (docs/RELIABILITY.md) is that of one whole run:
only a run of every run on every engine rewrites it, and that run is the
command without -only and -engine:

  go run ./reliability                  # every run, every engine; rewrites the table
  go run ./reliability -write=false     # the same; prints the table only
  go run ./reliability -only inputs,writers -engine sqlite   # some runs; prints their rows only

Flags:
`, strings.Join(engineNames(), ", "))
	flag.PrintDefaults()
}

func main() {
	only := flag.String("only", strings.Join(runNames(), ","), "comma-separated runs: "+strings.Join(runNames(), ","))
	engineList := flag.String("engine", strings.Join(engineNames(), ","), "comma-separated engines to run on (each run on those it applies to): "+strings.Join(engineNames(), ","))
	clients := flag.Int("clients", 32, "clients of the fault runs and of deploy")
	qt := flag.Duration("query-timeout", time.Second, "sessionrt QueryTimeout of the fault runs")
	outage := flag.Duration("outage", 4*time.Second, "how long each fault lasts")
	soakClients := flag.Int("soak-clients", 64, "clients of the soak")
	soakFor := flag.Duration("soak", 60*time.Second, "soak duration")
	writerSessions := flag.Int("writer-sessions", 4, "sessions of the writers run")
	writers := flag.Int("writers", 8, "writers run: clients per session, all with its cookie")
	writersFor := flag.Duration("writers-for", 8*time.Second, "writers run duration")
	rows := flag.Int("rows", 1_000_000, "session rows of the index run")
	install := flag.Bool("install", true, "apt-get install pgbouncer if it is missing")
	repo := flag.String("repo", ".", "repository root (for the corpus and the example's tests)")
	unsafe := flag.Bool("bouncer-unsafe", false, "pgbouncer run: also load the refused exec modes with TransactionPooler off, to measure what the refusal prevents")
	doc := flag.String("doc", "docs/RELIABILITY.md", "doc whose results table a run of every run on every engine rewrites (between <!-- BEGIN reliability table and <!-- END reliability table -->)")
	write := flag.Bool("write", true, "rewrite the doc's table when every run ran on every engine; false: print the table only")
	flag.Usage = usage
	flag.Parse()
	want := map[string]bool{}
	for _, r := range strings.Split(*only, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !slices.Contains(runNames(), r) {
			fmt.Fprintf(os.Stderr, "unknown run %q; known: %s\n", r, strings.Join(runNames(), ","))
			os.Exit(2)
		}
		want[r] = true
	}
	engs, err := selectEngines(*engineList)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	res := &results{started: time.Now(), command: strings.TrimSpace("go run ./reliability " + strings.Join(os.Args[1:], " ")), machine: machine()}
	for _, e := range engs {
		res.engines = append(res.engines, engineLine(ctx, e))
	}
	failed := false
	fail := func(format string, args ...any) {
		failed = true
		fmt.Printf("  FAIL: "+format+"\n", args...)
	}
	fo := faultOptions{Clients: *clients, QueryTimeout: *qt, Warmup: 3 * time.Second, Outage: *outage, After: 5 * time.Second, MaxConns: 16}
	failRow := func(id, engine, what, command string, err error) {
		res.add(resultRow{ID: id, Engine: engine, What: what, Command: command, Figures: fmt.Sprintf("**FAIL**: %v", err)})
	}
	for _, r := range runs() {
		if want[r.Name] && len(r.enginesOf(engs)) == 0 {
			fmt.Printf("== %s: runs on %s only, and -engine %s leaves them out: skipped\n", r.Name, strings.Join(titles(r.enginesOf(engines())), ", "), *engineList)
			delete(want, r.Name)
		}
	}
	for _, e := range engs {
		if slices.ContainsFunc(e.faults, func(f faultRun) bool { return want[f.Run] }) {
			res.fo = fo
			res.faultEngines = append(res.faultEngines, e.Title)
		}
	}
	// faultRuns runs the named fault runs on every engine of -engine that
	// has them.
	faultRuns := func(names ...string) {
		for _, name := range names {
			if !want[name] {
				continue
			}
			for _, e := range engs {
				for _, f := range e.faultsOf(name) {
					rep, err := runFault(ctx, e, f, fo)
					if err != nil {
						fmt.Printf("== %s (%s)\n", f.Title, e.Title)
						fail("%v", err)
						failRow(f.ID, e.Title, f.What, e.command(f.Run, f.Test), err)
						continue
					}
					fmt.Print(formatReport(rep))
					res.add(faultRow(rep))
					failed = failed || len(rep.Failures) > 0
				}
			}
		}
	}
	// restart runs last (below): it stops the shared server, and a server
	// that does not come back then fails no other run.
	faultRuns("terminate", "lock")

	if want["pgbouncer"] {
		fmt.Println("== 4. PgBouncer (transaction pooling) between the app and PostgreSQL")
		b, err := startPgBouncer(ctx, *install)
		if err != nil {
			fail("%v", err)
			failRow("4", "PostgreSQL", "PgBouncer", "`go run ./reliability -only pgbouncer`", err)
		} else {
			var modes []*bouncerMode
			if out, err := exec.Command("pgbouncer", "--version").CombinedOutput(); err == nil {
				fmt.Printf("  %s\n", strings.Split(strings.TrimSpace(string(out)), "\n")[0])
			}
			fmt.Println("  why describe_exec loses writes: client A runs the generated SaveSessionCounter(counter=41) on session A (user_id 1);")
			fmt.Println("  between A's two round trips client B runs SaveSessionUserID(user_id=2) on session B through the same PgBouncer pool")
			runSwap(ctx, b, swapWrite, fail)
			fmt.Println("  why describe_exec loses sessions: A runs GetSession on session A; between A's round trips B runs DeleteSession on session B")
			runSwap(ctx, b, swapRead, fail)
			fmt.Println("  why cache_statement fails: A as in the first case, but B opens a transaction between A's round trips, holding the server connection A prepared on")
			runSwap(ctx, b, swapHoldTx, fail)
			fmt.Println("  load, 16 clients for 8 s per mode, sessionrt.Config.TransactionPooler = true:")
			for _, mode := range []string{"", "cache_describe", "describe_exec", "exec", "simple_protocol"} {
				r, err := runPgBouncerLoad(ctx, b, mode, true, 16, 8*time.Second)
				if err != nil {
					fail("mode %s: %v", mode, err)
					continue
				}
				modes = append(modes, r)
				if r.Refused != nil {
					fmt.Printf("  default_query_exec_mode=%-30s refused at start: %v\n", r.Mode, r.Refused)
					continue
				}
				fmt.Printf("  default_query_exec_mode=%-30s attempted %d, 2xx %d, 4xx %d, 5xx %d, hung %d, no answer %d, panics %d, lost %d  %v\n",
					r.Mode, r.Load.Attempted, r.Load.OK, r.Load.C4xx, r.Load.C5xx, r.Load.Hung, r.Load.Transport, r.Panics, r.Load.Lost, r.Sample)
				if r.Errors > 0 {
					fail("%d errors (%d lost) through PgBouncer with default_query_exec_mode=%s, which the runtime let start", r.Errors, r.Load.Lost, r.Mode)
				}
			}
			fmt.Println("  session cache: two instances, queries through PgBouncer (cache_describe), listeners on direct connections, 16 clients for 8 s:")
			cacheRun, cacheErr := runCacheThroughBouncer(ctx, b, 16, 8*time.Second)
			if r, err := cacheRun, cacheErr; err != nil {
				fail("cache through PgBouncer: %v", err)
			} else {
				fmt.Printf("  attempted %d, 2xx %d, 5xx %d, lost %d, errors %d, B's cache hits %d; %d logouts on A: slowest rejection on B %v, accepted on B more than 100 ms after the logout %d\n",
					r.Load.Attempted, r.Load.OK, r.Load.C5xx, r.Load.Lost, r.Errors, r.Hits, r.Revocations, r.Slowest.Round(time.Microsecond), r.AcceptedLate)
				if r.Errors > 0 || r.AcceptedLate > 0 || r.Hits == 0 {
					fail("cache through PgBouncer: %d errors, %d late acceptances, %d hits", r.Errors, r.AcceptedLate, r.Hits)
				}
			}
			if *unsafe {
				fmt.Println("  load with TransactionPooler = false (what the refusal prevents; failures here are expected):")
				for _, mode := range []string{"", "describe_exec"} {
					r, err := runPgBouncerLoad(ctx, b, mode, false, 16, 8*time.Second)
					if err != nil {
						fail("mode %s: %v", mode, err)
						continue
					}
					fmt.Printf("  default_query_exec_mode=%-30s attempted %d, 2xx %d, 4xx %d, 5xx %d, hung %d, no answer %d, panics %d, lost %d  %v\n",
						r.Mode, r.Load.Attempted, r.Load.OK, r.Load.C4xx, r.Load.C5xx, r.Load.Hung, r.Load.Transport, r.Panics, r.Load.Lost, r.Sample)
					for _, l := range r.Losses {
						fmt.Printf("    lost: %s\n", l)
					}
				}
			}
			out, err := runContractThroughBouncer(ctx, b, *repo, "cache_describe")
			fmt.Printf("  go test ./example/app/ through PgBouncer (default_query_exec_mode=cache_describe): %s\n", lastLine(out))
			contract := "passes"
			if err != nil {
				fail("example contract through PgBouncer: %v\n%s", err, out)
				contract = "**FAIL**"
			}
			res.add(bouncerRow(modes, contract))
			if cacheErr != nil {
				failRow("4′", "PostgreSQL", "The session cache behind PgBouncer", "same", cacheErr)
			} else {
				res.add(cacheBouncerRow(cacheRun))
			}
			b.Close()
		}
	}

	for _, e := range engs {
		if !want["soak"] {
			break
		}
		fmt.Printf("== 5. soak on %s: %d clients mixing every endpoint for %s\n", e.Title, *soakClients, *soakFor)
		rep, err := runSoak(ctx, e, *soakClients, *soakFor)
		if err != nil {
			fail("%v", err)
			failRow("5", e.Title, "Soak", e.command("soak", ""), err)
			continue
		}
		res.add(soakRow(rep))
		l := rep.Load
		fmt.Printf("  attempted %d, 2xx %d, 4xx %d (of which answers to sessions ended by another client's logout-all: %d), 5xx %d, hung %d, no answer %d, panics %d, errors %d, lost updates %d, sessions verified at end %d\n",
			l.Attempted, l.OK, l.C4xx, rep.Excused, l.C5xx, l.Hung, l.Transport, rep.Panics, rep.Errors, l.Lost, rep.FinalOK)
		fmt.Printf("  throughput %.0f req/s, slowest request %s\n", float64(l.Attempted)/rep.Duration.Seconds(), l.P99.Round(time.Millisecond))
		fmt.Printf("  start: %s; end: %s\n", rep.Start, rep.End)
		var samples []string
		for _, s := range rep.Samples {
			samples = append(samples, s.String())
		}
		fmt.Printf("  every 10 s: %s\n", strings.Join(samples, " | "))
		for _, f := range rep.Failures {
			fail("%s", f)
		}
	}

	for _, e := range engs {
		if !want["inputs"] {
			break
		}
		fmt.Printf("== 6. hostile input on %s: oversized cookies and payloads\n", e.Title)
		cases, err := runInputs(ctx, e)
		if err != nil {
			fail("%v", err)
			failRow("6", e.Title, "Hostile input", e.command("inputs", ""), err)
		}
		for _, r := range inputRows(e, cases) {
			res.add(r)
		}
		for _, c := range cases {
			fmt.Printf("  %-62s want %-50s got %s (%s)\n", c.Name, c.Want, c.Got, c.Took.Round(time.Millisecond))
			if c.Failed != "" {
				fail("%s: %s", c.Name, c.Failed)
			}
		}
	}

	if want["corpus"] {
		golden, err := loadCorpus(*repo + "/generator/testdata/migrate")
		for _, e := range engs {
			fmt.Printf("== 7. schema on %s: every migration of the evolution corpus up, down, up with live sessions\n", e.Title)
			cases := golden
			if err == nil {
				cases, err = corpusFor(e, golden)
			}
			if err != nil {
				fail("%v", err)
				failRow("7", e.Title, "Migration corpus", e.command("corpus", ""), err)
				continue
			}
			var reps []corpusReport
			for _, c := range cases {
				r := runCorpusCase(ctx, e, c, 1000)
				reps = append(reps, r)
				status := "ok"
				switch {
				case r.Refused != "":
					status = "not run: " + r.Refused
				case r.Err != nil:
					status = "FAIL " + r.Err.Error()
					failed = true
				}
				fmt.Printf("  %-22s %d migration(s), %4d live sessions: %s %s\n", r.Name, r.Migrations, r.Rows, status, strings.Join(r.Notes, "; "))
			}
			res.add(corpusRow(e, reps, 1000))
		}
	}

	for _, e := range engs {
		if !want["deploy"] {
			break
		}
		fmt.Printf("== 8. schema on %s: old code, new schema (additive migration applied and rolled back under traffic)\n", e.Title)
		rep, err := runOldCodeNewSchema(ctx, e, *clients, 3*time.Second)
		if err != nil {
			fail("%v", err)
			failRow("8", e.Title, "Old code, new schema", e.command("deploy", ""), err)
			continue
		}
		res.add(deployRow(rep))
		fmt.Printf("  %v: up %s, down %s; %d requests, %d 2xx, %d 5xx, %d lost; %d sessions verified\n",
			rep.Migrations, rep.UpTook.Round(time.Millisecond), rep.DownTook.Round(time.Millisecond),
			rep.Load.Attempted, rep.Load.OK, rep.Load.C5xx, rep.Load.Lost, rep.FinalOK)
		for _, f := range rep.Failures {
			fail("%s", f)
		}
	}

	for _, e := range engs {
		if !want["index"] {
			break
		}
		fmt.Printf("== 9. schema on %s: the index migration (%s) on %d session rows under load\n", e.Title, e.indexBuild, *rows)
		rep, err := runIndexConcurrently(ctx, e, *rows, 16, 3*time.Second)
		if err != nil {
			fail("%v", err)
			failRow("9", e.Title, "Index migration", e.command("index", ""), err)
			continue
		}
		res.add(indexRow(rep, 16))
		fmt.Printf("  filled in %s; %s applied in %s; longest read before %s, during the build %s (%d reads), longest write during it %s (%d writes); %d requests, %d 2xx\n",
			rep.FillTook.Round(time.Millisecond), rep.Migration, rep.IndexTook.Round(time.Millisecond),
			rep.BaselineStall.Round(time.Millisecond), rep.Stall.Round(time.Millisecond), rep.Reads,
			rep.WriteStall.Round(time.Millisecond), rep.Writes, rep.Load.Attempted, rep.Load.OK)
		for _, f := range rep.Failures {
			fail("%s", f)
		}
	}

	for _, e := range engs {
		if !want["writers"] {
			break
		}
		opt := writersOptions{Sessions: *writerSessions, Writers: *writers, Duration: *writersFor}
		fmt.Printf("== 10. concurrent writers on %s: %d sessions, %d clients each with its cookie, for %s\n", e.Title, opt.Sessions, opt.Writers, opt.Duration)
		rep, err := runWriters(ctx, e, opt)
		if err != nil {
			fail("%v", err)
			failRow("10", e.Title, "Concurrent writers", e.command("writers", ""), err)
			continue
		}
		res.add(writersRow(rep))
		l := rep.Load
		fmt.Printf("  attempted %d, 2xx %d, 4xx %d, 5xx %d, hung %d, no answer %d, panics %d; acknowledged %d increments and %d cart items; lost updates %d; slowest write %s\n",
			l.Attempted, l.OK, l.C4xx, l.C5xx, l.Hung, l.Transport, rep.Panics, rep.CounterAcks, rep.CartAcks, rep.Lost, rep.MaxWrite.Round(time.Millisecond))
		for _, f := range rep.Failures {
			fail("%s", f)
		}
	}

	faultRuns("restart")

	res.sortRows()
	res.elapsed, res.passed = time.Since(res.started), !failed
	md := res.markdown()
	fmt.Printf("\n%s\n", md)
	switch {
	case !*write:
	case !wholeRun(want, engs):
		fmt.Fprintf(os.Stderr, "%s not rewritten: -only or -engine ran a subset, and the table is that of one whole run (go run ./reliability)\n", *doc)
	default:
		if err := doctable.Write(*doc, "reliability", md); err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		} else {
			fmt.Fprintf(os.Stderr, "wrote the reliability table of %s\n", *doc)
		}
	}
	if failed {
		fmt.Println("FAIL")
		os.Exit(1)
	}
	fmt.Println("PASS")
}

// wholeRun reports whether every run ran on every engine: only such a run
// rewrites the doc's table, which is that of one whole run.
func wholeRun(want map[string]bool, engs []*engine) bool {
	for _, r := range runs() {
		if !want[r.Name] {
			return false
		}
	}
	for _, e := range engines() {
		if !slices.ContainsFunc(engs, func(x *engine) bool { return x.Name == e.Name }) {
			return false
		}
	}
	return true
}

// runSwap prints the two-client interleaving of runUnnamedSwap for every
// exec mode, with the server's log of a lost write. A mode the runtime
// accepts behind a transaction pooler that did not store A's write exactly
// as asked fails the run.
func runSwap(ctx context.Context, b *pgbouncer, kind interleaving, fail func(string, ...any)) {
	cases, err := runUnnamedSwap(ctx, b, kind)
	if err != nil {
		fail("interleaving: %v", err)
		return
	}
	for _, c := range cases {
		fmt.Printf("    %s\n", c)
		if c.Lost() {
			for _, l := range c.ServerLog {
				fmt.Printf("      server log: %s\n", l)
			}
		}
		if c.Mode != "cache_statement" && c.Mode != "describe_exec" && !c.Safe() {
			fail("%s is accepted behind a transaction pooler but did not store A's write as asked", c.Mode)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
