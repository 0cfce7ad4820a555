// Command bench compares the cost of sessiongen's generated session layer
// with a no-library floor, scs (+pgxstore) and gorilla/sessions (with a
// pgstore-design PostgreSQL store) on PostgreSQL, with a no-library
// floor-sqlite on SQLite (the -sqlite modes) and with a no-library
// floor-mysql on MySQL or MariaDB (the -mysql modes). It starts the same small JSON app once
// per mode on loopback, drives every mode with the same load, alternating
// modes in rounds, and reports ratios to the floor of the mode's engine
// measured in the same run,
// database round trips per request and lost updates. It rewrites the
// generated table of docs/BENCHMARKS.md (between its markers) and
// docs/bench.svg; -cache-figures rewrites the cache table of the same file,
// -scale the table of docs/SCALE.md.
//
//	go run ./bench -rounds 5                 # the committed run
//	go run ./bench -rounds 1 -write=false    # print only
//	go run ./bench -modes floor-sqlite,sessiongen-sqlite -write=false  # SQLite only
//	go run ./bench -modes floor-mysql,sessiongen-mysql -write=false    # MySQL only
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/internal/doctable"
)

type options struct {
	dsn                string
	mysqlURL           string // admin URL of the -mysql modes' server (dbmate's form)
	duration           time.Duration
	rounds             int
	workers            int
	sessions           int
	incrWorkers, incrN int
	fieldSessions      int
	fieldN             int
	conns              int
	doc                string // doc file whose generated table the run rewrites
	write              bool   // rewrite it (false: print only)
	modes              []string
	scenarios          []string
	dbPrefix           string
	keep               bool
	cpuprofile         string
	quiet              bool
}

// allModes lists every mode. The modes ending in -sqlite run on SQLite and
// are compared with floor-sqlite, those ending in -mysql run on MySQL and
// are compared with floor-mysql, the others with floor (floorOf).
var allModes = []string{"floor", "sessiongen", "sessiongen-cache", "scs", "scs-idle", "gorilla", "sessiongen-touch1s", "floor-idle", "floor-sqlite", "sessiongen-sqlite", "floor-mysql", "sessiongen-mysql"}

var defaultModes = "floor,sessiongen,sessiongen-cache,scs,scs-idle,gorilla,floor-sqlite,sessiongen-sqlite,floor-mysql,sessiongen-mysql"

var allScenarios = []string{"read", "write", "login", "logout", "none", "incr", "incr-spread", "field"}

var scenarioTitle = map[string]string{
	"read":        "read-only request",
	"write":       "one field changed",
	"login":       "new session (login with renew)",
	"logout":      "logout",
	"none":        "handler never touches the session",
	"incr":        "counter: 16 workers × 200 increments, one session",
	"incr-spread": "counter: workers spread over the sessions",
	"field":       "different fields of one session, concurrently",
}

func main() {
	if child, err := childMode(); child {
		if err != nil {
			log.Fatal(err)
		}
		return
	}
	var o options
	var so scaleOptions
	var scale bool
	var modes, scen string
	flag.StringVar(&o.dsn, "dsn", envOr("BENCH_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "admin DSN; the benchmark creates and drops its own databases")
	flag.StringVar(&o.mysqlURL, "mysql", envOr("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"), "admin URL (dbmate's form) of the MySQL or MariaDB server of the -mysql modes; the benchmark creates and drops its own databases there")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "duration of each timed window")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds; each round runs every scenario on every mode, in rotated order")
	flag.IntVar(&o.workers, "workers", 32, "concurrent client workers")
	flag.IntVar(&o.sessions, "sessions", 64, "sessions the read/write/incr-spread workers spread over")
	flag.IntVar(&o.incrWorkers, "incr-workers", 16, "workers of the one-session counter scenario")
	flag.IntVar(&o.incrN, "incr-n", 200, "increments per worker in the counter and field scenarios")
	flag.IntVar(&o.fieldSessions, "field-sessions", 8, "sessions of the field scenario (one writer for field a and one for field b each)")
	flag.IntVar(&o.conns, "conns", 8, "PostgreSQL connections per mode (pgxpool MaxConns = MinConns)")
	flag.StringVar(&o.doc, "doc", "", "doc file whose generated table the run rewrites (bench.svg goes next to it); default docs/BENCHMARKS.md, with -scale docs/SCALE.md")
	flag.BoolVar(&o.write, "write", true, "rewrite the doc's table (and bench.svg); false: print the table only")
	flag.StringVar(&modes, "modes", defaultModes, "modes to run; each mode's floor (floor, floor-sqlite for the -sqlite modes, floor-mysql for the -mysql modes) must be among them; also available: sessiongen-touch1s (TouchInterval 1s), floor-idle (floor whose changes also extend an indexed expires_at)")
	flag.StringVar(&scen, "scenarios", strings.Join(allScenarios, ","), "scenarios to run")
	flag.StringVar(&o.dbPrefix, "db-prefix", "sgbench", "prefix of the databases the benchmark creates")
	flag.BoolVar(&o.keep, "keep", false, "keep the databases at the end")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (server, client and drivers) to this file")
	cacheFig := flag.Bool("cache-figures", false, "measure the session cache instead: revocation latency across two server processes, memory per cached session, hit ratio and fallback while the listener is down")
	revocations := flag.Int("revocations", 200, "logouts measured by -cache-figures")
	serveCache := flag.String("serve-cache", "", "internal: serve the sessiongen-cache mode on this DSN (a child of -cache-figures)")
	flag.BoolVar(&scale, "scale", false, "run the scale measurement instead (docs/SCALE.md): load -size rows with COPY and measure requests at size, bytes per session, the reaper, churn and several instances")
	flag.Int64Var(&so.size, "size", 10_000_000, "scale: rows of the largest size (10 thousand and 1 million are measured on the way)")
	flag.Int64Var(&so.reapRows, "reap-rows", 1_000_000, "scale: expired rows the reaper phases delete (0: skip them)")
	flag.Int64Var(&so.copyBatch, "copy-batch", 100_000, "scale: rows per COPY transaction")
	flag.IntVar(&so.churnCycles, "churn-cycles", 3, "scale: churn cycles under each setting (0: skip churn)")
	flag.DurationVar(&so.churnCycle, "churn-cycle", time.Minute, "scale: length of a churn cycle, also the churn sessions' idle timeout (absolute lifetime: twice it)")
	flag.Float64Var(&so.churnRate, "churn-rate", 1000, "scale: new sessions per second during churn")
	flag.DurationVar(&so.reapEvery, "reap-every", 5*time.Second, "scale: reaper interval during churn")
	flag.IntVar(&so.instances, "instances", 4, "scale: app processes of the many-instances phase (0: skip)")
	flag.StringVar(&so.db, "scale-db", "sessiongen_scale", "scale: database the run creates (and drops unless -keep)")
	flag.StringVar(&so.section, "scale-section", "scale", "scale: name of the generated table of the doc the run replaces (between <!-- BEGIN name table and <!-- END name table -->)")
	flag.Parse()
	if o.doc == "" {
		o.doc = "docs/BENCHMARKS.md"
		if scale {
			o.doc = "docs/SCALE.md"
		}
	}
	if *serveCache != "" {
		if err := serveCacheChild(*serveCache); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *cacheFig {
		started := time.Now()
		f, err := runCacheFigures(context.Background(), o, *revocations, os.Stderr)
		if err != nil {
			log.Fatal(err)
		}
		md := f.markdown(commandLine(), started, time.Since(started))
		fmt.Println(md)
		if o.write {
			if err := doctable.Write(o.doc, "cache", md); err != nil {
				log.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "wrote the cache table of %s\n", o.doc)
		}
		return
	}
	if scale {
		log.SetFlags(log.Ltime)
		res, err := runScale(context.Background(), o, so, os.Stderr)
		if err != nil {
			log.Fatal(err)
		}
		res.command = commandLine()
		fmt.Println(res.markdown())
		if o.write {
			if err := doctable.Write(o.doc, so.section, res.markdown()); err != nil {
				log.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "wrote the %s table of %s\n", so.section, o.doc)
		}
		return
	}
	o.modes = strings.Split(modes, ",")
	o.scenarios = strings.Split(scen, ",")
	for _, m := range o.modes {
		if !slices.Contains(allModes, m) {
			log.Fatalf("unknown mode %q", m)
		}
		if !slices.Contains(o.modes, floorOf(m)) {
			log.Fatalf("-modes: %s is compared with %s, which is missing", m, floorOf(m))
		}
	}
	for _, s := range o.scenarios {
		if !slices.Contains(allScenarios, s) {
			log.Fatalf("unknown scenario %q", s)
		}
	}
	log.SetFlags(log.Ltime)
	log.SetOutput(os.Stderr)
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	res, err := run(context.Background(), o, os.Stderr)
	if err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
	res.command = commandLine()
	md := res.markdown()
	fmt.Println(md)
	if o.write {
		if err := res.write(o.doc); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "wrote the bench table of %s and %s\n", o.doc, svgPath(o.doc))
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// commandLine reconstructs the command as it would be typed.
func commandLine() string {
	return strings.TrimSpace("go run ./bench " + strings.Join(os.Args[1:], " "))
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
