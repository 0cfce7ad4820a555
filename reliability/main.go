// Command reliability runs sessiongen's long fault, soak and schema-change
// runs against the example application on a real PostgreSQL, prints what
// it sees and, when every run ran, rewrites the results table of
// docs/RELIABILITY.md (between its markers). Short versions of the fault,
// input and schema runs are in go test ./reliability.
//
//	go run ./reliability                    # everything (about 5 minutes); rewrites the table
//	go run ./reliability -only restart,lock # some runs; prints only
//	go run ./reliability -write=false       # everything; prints the table only
//
// The restart run stops and starts the shared PostgreSQL cluster with
// pg_ctlcluster (needs root or the postgres user): do not run it while other
// tests use that server. The pgbouncer run installs Debian's pgbouncer if it
// is missing (-install=false to refuse) and runs it as the postgres user.
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

var allRuns = []string{"restart", "terminate", "lock", "pgbouncer", "soak", "inputs", "corpus", "deploy", "index"}

func main() {
	only := flag.String("only", strings.Join(allRuns, ","), "comma-separated runs: "+strings.Join(allRuns, ","))
	clients := flag.Int("clients", 32, "clients of the fault runs")
	qt := flag.Duration("query-timeout", time.Second, "sessionrt QueryTimeout of the fault runs")
	outage := flag.Duration("outage", 4*time.Second, "how long each fault lasts")
	soakClients := flag.Int("soak-clients", 64, "clients of the soak")
	soakFor := flag.Duration("soak", 60*time.Second, "soak duration")
	rows := flag.Int("rows", 1_000_000, "session rows of the CREATE INDEX CONCURRENTLY run")
	install := flag.Bool("install", true, "apt-get install pgbouncer if it is missing")
	repo := flag.String("repo", ".", "repository root (for the corpus and the example's tests)")
	unsafe := flag.Bool("bouncer-unsafe", false, "pgbouncer run: also load the refused exec modes with TransactionPooler off, to measure what the refusal prevents")
	doc := flag.String("doc", "docs/RELIABILITY.md", "doc whose results table a run of every run rewrites (between <!-- BEGIN reliability table and <!-- END reliability table -->)")
	write := flag.Bool("write", true, "rewrite the doc's table when every run ran; false: print the table only")
	flag.Parse()
	want := map[string]bool{}
	for _, r := range strings.Split(*only, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !slices.Contains(allRuns, r) {
			fmt.Fprintf(os.Stderr, "unknown run %q; known: %s\n", r, strings.Join(allRuns, ","))
			os.Exit(2)
		}
		want[r] = true
	}
	ctx := context.Background()
	res := &results{started: time.Now(), command: strings.TrimSpace("go run ./reliability " + strings.Join(os.Args[1:], " ")), machine: machine(), pgVer: serverVersion(ctx)}
	failed := false
	fail := func(format string, args ...any) {
		failed = true
		fmt.Printf("  FAIL: "+format+"\n", args...)
	}
	fo := faultOptions{Clients: *clients, QueryTimeout: *qt, Warmup: 3 * time.Second, Outage: *outage, After: 5 * time.Second, MaxConns: 16}
	res.fo = fo
	failRow := func(id, what, command string, err error) {
		res.add(resultRow{ID: id, What: what, Command: command, Figures: fmt.Sprintf("**FAIL**: %v", err)})
	}
	for _, f := range []struct {
		name, title string
		inj         injector
		id, what    string
		command     string
	}{
		{"restart", "1. PostgreSQL restarted mid-load (pg_ctlcluster stop, wait, start)", injectRestart,
			"1", "PostgreSQL restarted mid-load (`pg_ctlcluster stop`, wait, `start`)", "`go run ./reliability -only restart`"},
		{"terminate", "2. every pool connection killed with pg_terminate_backend", injectTerminate,
			"2", "Every pool connection killed with `pg_terminate_backend`", "`go run ./reliability -only terminate` (short version: `TestTerminateBackends`)"},
		{"lock", "3. LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE held mid-load", injectLock,
			"3", "`LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE` held mid-load", "`go run ./reliability -only lock` (short version: `TestTableLock`)"},
	} {
		if !want[f.name] {
			continue
		}
		rep, err := runFault(ctx, f.title, fo, f.inj)
		if err != nil {
			fmt.Printf("== %s\n", f.title)
			fail("%v", err)
			failRow(f.id, f.what, f.command, err)
			continue
		}
		fmt.Print(formatReport(rep))
		res.add(faultRow(f.id, f.what, f.command, rep))
		failed = failed || len(rep.Failures) > 0
	}

	if want["pgbouncer"] {
		fmt.Println("== 4. PgBouncer (transaction pooling) between the app and PostgreSQL")
		b, err := startPgBouncer(ctx, *install)
		if err != nil {
			fail("%v", err)
			failRow("4", "PgBouncer", "`go run ./reliability -only pgbouncer`", err)
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
				failRow("4′", "The session cache behind PgBouncer", "same", cacheErr)
			} else {
				res.add(cacheBouncerRow(cacheRun))
			}
			b.Close()
		}
	}

	if want["soak"] {
		fmt.Printf("== 5. soak: %d clients mixing every endpoint for %s\n", *soakClients, *soakFor)
		rep, err := runSoak(ctx, *soakClients, *soakFor)
		if err != nil {
			fail("%v", err)
			failRow("5", "Soak", "`go run ./reliability -only soak`", err)
		} else {
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
	}

	if want["inputs"] {
		fmt.Println("== hostile input: oversized cookies and payloads")
		cases, err := runInputs(ctx)
		if err != nil {
			fail("%v", err)
			failRow("6", "Hostile input", "`go run ./reliability -only inputs`", err)
		}
		for _, r := range inputRows(cases) {
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
		fmt.Println("== schema: every migration of the evolution corpus up, down, up with live sessions")
		cases, err := loadCorpus(*repo + "/generator/testdata/migrate")
		if err != nil {
			fail("%v", err)
			failRow("7", "Migration corpus", "`go run ./reliability -only corpus`", err)
		}
		var reps []corpusReport
		for _, c := range cases {
			r := runCorpusCase(ctx, c, 1000)
			reps = append(reps, r)
			status := "ok"
			if r.Err != nil {
				status = "FAIL " + r.Err.Error()
				failed = true
			}
			fmt.Printf("  %-22s %d migration(s), %4d live sessions: %s %s\n", r.Name, r.Migrations, r.Rows, status, strings.Join(r.Notes, "; "))
		}
		if err == nil {
			res.add(corpusRow(reps, 1000))
		}
	}

	if want["deploy"] {
		fmt.Println("== schema: old code, new schema (additive migration applied and rolled back under traffic)")
		rep, err := runOldCodeNewSchema(ctx, *clients, 3*time.Second)
		if err != nil {
			fail("%v", err)
			failRow("8", "Old code, new schema", "`go run ./reliability -only deploy`", err)
		} else {
			res.add(deployRow(rep))
			fmt.Printf("  %v: up %s, down %s; %d requests, %d 2xx, %d 5xx, %d lost; %d sessions verified\n",
				rep.Migrations, rep.UpTook.Round(time.Millisecond), rep.DownTook.Round(time.Millisecond),
				rep.Load.Attempted, rep.Load.OK, rep.Load.C5xx, rep.Load.Lost, rep.FinalOK)
			for _, f := range rep.Failures {
				fail("%s", f)
			}
		}
	}

	if want["index"] {
		fmt.Printf("== schema: CREATE INDEX CONCURRENTLY on %d session rows under load\n", *rows)
		rep, err := runIndexConcurrently(ctx, *rows, 16, 3*time.Second)
		if err != nil {
			fail("%v", err)
			failRow("9", "CREATE INDEX CONCURRENTLY", "`go run ./reliability -only index`", err)
		} else {
			res.add(indexRow(rep, 16))
			fmt.Printf("  filled in %s; %s applied in %s; longest read before %s, during the build %s (%d reads); %d requests, %d 2xx\n",
				rep.FillTook.Round(time.Millisecond), rep.Migration, rep.IndexTook.Round(time.Millisecond),
				rep.BaselineStall.Round(time.Millisecond), rep.Stall.Round(time.Millisecond), rep.Reads, rep.Load.Attempted, rep.Load.OK)
			for _, f := range rep.Failures {
				fail("%s", f)
			}
		}
	}
	res.elapsed, res.passed = time.Since(res.started), !failed
	md := res.markdown()
	fmt.Printf("\n%s\n", md)
	switch {
	case !*write:
	case len(want) < len(allRuns):
		fmt.Fprintf(os.Stderr, "%s not rewritten: -only ran a subset of the runs, and the table is that of one whole run\n", *doc)
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
