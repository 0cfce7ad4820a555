package main

import (
	"cmp"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/sessiongen/sessiongen/internal/doctable"
)

func goVersion() string { return runtime.Version() }

// stat is the summary of one scenario × mode.
type stat struct {
	rps                     float64 // median over rounds
	ratio, ratioLo, ratioHi float64 // ratio of requests/s to floor: median, min, max over rounds
	p50, p99                time.Duration
	rtPerReq                float64
	cpu, app                float64 // machine busy and benchmark-process CPU µs per request, medians over rounds (0: unknown)
	lost, attempted         int64
	errs, n                 int
}

func (r *results) stat(sc, mode string) (stat, bool) {
	ss := r.samples[sc][mode]
	if len(ss) == 0 {
		return stat{}, false
	}
	fl := r.samples[sc][floorOf(mode)]
	var st stat
	var rps, ratios []float64
	var cpu [][2]float64 // per round: machine, benchmark process
	var rts int64
	for i, s := range ss {
		rps = append(rps, s.rps)
		if c := s.cpuPerReq(); c > 0 {
			cpu = append(cpu, [2]float64{c, s.appPerReq()})
		}
		if i < len(fl) && fl[i].rps > 0 {
			ratios = append(ratios, s.rps/fl[i].rps)
		}
		rts += s.rts
		st.n += s.n
		st.errs += s.errs
		st.lost += s.lost
		st.attempted += s.attempted
	}
	st.rps = median(rps)
	if len(cpu) > 0 {
		// The split of the round(s) with the median machine figure, so that
		// machine minus process stays one round's PostgreSQL share.
		slices.SortFunc(cpu, func(a, b [2]float64) int { return cmp.Compare(a[0], b[0]) })
		lo, hi := cpu[(len(cpu)-1)/2], cpu[len(cpu)/2]
		st.cpu, st.app = (lo[0]+hi[0])/2, (lo[1]+hi[1])/2
	}
	if len(ratios) > 0 {
		st.ratio = median(ratios)
		st.ratioLo, st.ratioHi = slices.Min(ratios), slices.Max(ratios)
	}
	lat := slices.Clone(r.lat[sc][mode])
	slices.Sort(lat)
	st.p50, st.p99 = percentile(lat, 0.50), percentile(lat, 0.99)
	if st.n > 0 {
		st.rtPerReq = float64(rts) / float64(st.n)
	}
	return st, true
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// markdown renders the generated section of docs/BENCHMARKS.md.
func (r *results) markdown() string {
	var b strings.Builder
	o := r.opts
	fmt.Fprintf(&b, "### Run of %s\n\n", r.started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Command: `%s` (took %s)\n", r.command, r.elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %s\n", r.machine)
	fmt.Fprintf(&b, "- Go %s, PostgreSQL %s on 127.0.0.1 (same machine), %d pgx connections per mode\n", strings.TrimPrefix(r.goVer, "go"), r.pgVer, o.conns)
	if r.sqliteVer != "" {
		fmt.Fprintf(&b, "- SQLite modes (-sqlite): SQLite %s through mattn/go-sqlite3 in the benchmark process, a fresh file per mode in a temp dir, WAL and busy_timeout 5 s (the example's DSN), %d database/sql connections per mode, statements prepared once per connection in both; "+
			"their ratio is to floor-sqlite, the floor on the same kind of file, and they have no round trips to count (n/a)\n", r.sqliteVer, o.conns)
	}
	if r.mysqlVer != "" {
		fmt.Fprintf(&b, "- MySQL modes (-mysql): %s at %s (same machine), a fresh database per mode, go-sql-driver/mysql with interpolateParams and a strict sql_mode (the example's DSN, app.MySQLDSN), %d database/sql connections per mode; floor-mysql prepares each statement (server-side, once per connection), sessiongen-mysql sends them interpolated; "+
			"their ratio is to floor-mysql, the floor on the same server, whose increment is one UPDATE … SET counter = LAST_INSERT_ID(counter + 1) (MySQL has no RETURNING); "+
			"their round trips are counted by a connector around the driver (every query, BEGIN — and the SET TRANSACTION ISOLATION LEVEL the driver sends before it when a transaction names a level —, COMMIT, ROLLBACK, preparations), with no cross-check on the server\n",
			r.mysqlVer, mysqlHost(o.mysqlURL), o.conns)
	}
	fmt.Fprintf(&b, "- Load: %d keep-alive HTTP workers over %d sessions, %s windows, %d rounds alternating the modes (order rotated each round); "+
		"counter: %d workers × %d increments on one session; field: %d sessions, one writer of field a and one of field b each, %d requests per writer\n",
		o.workers, o.sessions, o.duration, o.rounds, o.incrWorkers, o.incrN, o.fieldSessions, o.incrN)
	onMySQL := ""
	if r.mysqlVer != "" {
		onMySQL = "; on the -mysql modes by the connector above"
	}
	fmt.Fprintf(&b, "- Ratio = requests/s of the mode ÷ requests/s of floor in the same round: median [min–max] over the rounds. "+
		"CPU/req is the whole machine's busy CPU time per request (from /proc/stat), median over the rounds: the cost that requests/s inverts on a saturated machine; "+
		"in brackets the part spent in the benchmark process (load generator, HTTP server, session library, pgx; getrusage) in the same round(s), the rest is PostgreSQL and the kernel work it causes, "+
		"on a machine otherwise idle (the figure counts every process). "+
		"Latencies are over all rounds. Round trips are counted by a pgx tracer (every Exec/Query/QueryRow, BEGIN and COMMIT included, every pipelined batch as one, plus statement preparations)%s.\n\n", onMySQL)
	fmt.Fprintf(&b, "![ratio of requests/s to floor per scenario](bench.svg)\n\n")
	b.WriteString("| scenario | mode | req/s | ratio to floor | CPU/req | p50 | p99 | DB round trips/req | lost updates | errors |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, sc := range o.scenarios {
		for _, m := range o.modes {
			st, ok := r.stat(sc, m)
			if !ok {
				continue
			}
			ratio := "1 (floor)"
			if !isFloor(m) {
				ratio = fmt.Sprintf("**%.2f** [%.2f–%.2f]", st.ratio, st.ratioLo, st.ratioHi)
			}
			lost := "–"
			if st.attempted > 0 {
				lost = fmt.Sprintf("%d of %d (%.1f%%)", st.lost, st.attempted, 100*float64(st.lost)/float64(st.attempted))
			}
			cpu := "–"
			if st.cpu > 0 {
				cpu = fmt.Sprintf("%.0f µs (%.0f)", st.cpu, st.app)
			}
			rts := fmt.Sprintf("%.3f", st.rtPerReq)
			if isSQLite(m) {
				rts = "n/a"
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %d |\n",
				scenarioTitle[sc], m, st.rps, ratio, cpu, ms(st.p50), ms(st.p99), rts, lost, st.errs)
		}
	}
	if len(r.xacts) > 0 { // PostgreSQL modes ran
		b.WriteString("\nCross-check of the round-trip counter: transactions the tracer saw start (each statement outside a transaction, each BEGIN) against the change of xact_commit + xact_rollback in pg_stat_database over the pools' whole life (setup, warm-up and rounds; the database side also sees each new connection's start-up, and for sessiongen-cache the listener's connection, which reads each batch of notifications in a transaction of its own).\n\n")
		b.WriteString("| mode | tracer | pg_stat_database | difference |\n|---|---:|---:|---:|\n")
		for _, m := range o.modes {
			x, ok := r.xacts[m]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %+.2f%% |\n", m, x[0], x[1], 100*float64(x[1]-x[0])/float64(max(x[0], 1)))
		}
	}
	b.WriteString("\n" + r.targets())
	return b.String()
}

// targets checks the targets that the command can measure.
func (r *results) targets() string {
	var b strings.Builder
	b.WriteString("Targets measured by the command (sessiongen runs its default configuration: idle timeout on, touch throttled to once a minute):\n\n")
	b.WriteString("| target | measured | met |\n|---|---:|:---:|\n")
	row := func(name, measured string, ok bool) {
		mark := "yes"
		if !ok {
			mark = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, measured, mark)
	}
	if st, ok := r.stat("read", "sessiongen-cache"); ok {
		row("sessiongen-cache: read ≥ 2.00 × floor", fmt.Sprintf("%.2f [%.2f–%.2f]", st.ratio, st.ratioLo, st.ratioHi), st.ratio >= 2)
	}
	for _, sg := range []string{"sessiongen", "sessiongen-touch1s", "sessiongen-sqlite", "sessiongen-mysql"} {
		if !slices.Contains(r.opts.modes, sg) {
			continue
		}
		ratio := func(sc string, min float64) {
			if st, ok := r.stat(sc, sg); ok {
				row(fmt.Sprintf("%s: %s ≥ %.2f × floor", sg, sc, min), fmt.Sprintf("%.2f [%.2f–%.2f]", st.ratio, st.ratioLo, st.ratioHi), st.ratio >= min)
			}
		}
		rt := func(sc string, maxRT float64) {
			if st, ok := r.stat(sc, sg); ok {
				row(fmt.Sprintf("%s: %s ≤ %g round trips", sg, sc, maxRT), fmt.Sprintf("%.3f", st.rtPerReq), st.rtPerReq <= maxRT+0.005)
			}
		}
		// The issues' ratio and round-trip targets are PostgreSQL's, and
		// SQLite's read; on MySQL only the lost updates are a target (the
		// round trips column shows MySQL's: a read's throttled touch costs
		// a transaction of its own there, without RETURNING).
		if isSQLite(sg) {
			ratio("read", 0.95)
		}
		if !isSQLite(sg) && !isMySQL(sg) {
			ratio("read", 0.95)
			ratio("read", 0.90)
			ratio("write", 0.95)
			ratio("login", 0.95)
			ratio("logout", 0.95)
			rt("none", 0)
			rt("read", 1)
			rt("write", 2)
		}
		for _, sc := range []string{"incr", "incr-spread", "field"} {
			if st, ok := r.stat(sc, sg); ok {
				row(fmt.Sprintf("%s: %s, 0 lost updates", sg, sc), fmt.Sprintf("%d of %d", st.lost, st.attempted), st.lost == 0)
			}
		}
	}
	return b.String()
}

// write rewrites the bench table of the doc at path (between its markers,
// keeping the rest of the file) and the chart next to it (svgPath). The
// doc must exist and hold the markers: the chart is written only then.
func (r *results) write(path string) error {
	if err := doctable.Write(path, "bench", r.markdown()); err != nil {
		return err
	}
	return os.WriteFile(svgPath(path), []byte(r.svg()), 0o644)
}

// svgPath is where the chart of the doc at path goes: bench.svg beside it,
// which the doc links.
func svgPath(doc string) string { return filepath.Join(filepath.Dir(doc), "bench.svg") }

var modeColor = map[string]string{
	"sessiongen":         "#2b7bb9",
	"sessiongen-touch1s": "#7fb3dc",
	"sessiongen-cache":   "#1b4f72",
	"scs":                "#e08e0b",
	"scs-idle":           "#f3c26b",
	"gorilla":            "#5a9e4b",
	"floor-idle":         "#999999",
	"sessiongen-sqlite":  "#8e44ad",
	"sessiongen-mysql":   "#c0392b",
}

// mysqlHost is the host:port of a MySQL URL, for the report.
func mysqlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "unknown host"
	}
	return u.Host
}

// svg draws, per scenario, one bar per mode: its median ratio of requests/s
// to floor, with a whisker from the lowest to the highest round.
func (r *results) svg() string {
	var modes []string
	for _, m := range r.opts.modes {
		if !isFloor(m) {
			modes = append(modes, m)
		}
	}
	scs := r.opts.scenarios
	const (
		left, top, bottom, right = 60.0, 50.0, 110.0, 20.0
		barW, gap                = 18.0, 26.0
		plotH                    = 300.0
	)
	groupW := float64(len(modes))*barW + gap
	width := left + right + groupW*float64(len(scs))
	height := top + plotH + bottom
	ymax := 1.2
	for _, sc := range scs {
		for _, m := range modes {
			if st, ok := r.stat(sc, m); ok && st.ratioHi > ymax {
				ymax = st.ratioHi
			}
		}
	}
	ymax = float64(int(ymax*5)+1) / 5
	y := func(v float64) float64 { return top + plotH - v/ymax*plotH }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	var others []string
	if slices.ContainsFunc(modes, isSQLite) {
		others = append(others, "-sqlite modes: floor-sqlite")
	}
	if slices.ContainsFunc(modes, isMySQL) {
		others = append(others, "-mysql modes: floor-mysql")
	}
	floors := "floor"
	if len(others) > 0 {
		floors += " (" + strings.Join(others, "; ") + ")"
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="18" font-size="14" font-weight="bold">Requests/s relative to %s (1.0 = no session library), median of %d rounds, whiskers min–max</text>`+"\n", left, floors, r.opts.rounds)
	fmt.Fprintf(&b, `<text x="%.0f" y="34" fill="#555">%s · %s · %s</text>`+"\n", left, html.EscapeString(r.started.UTC().Format("2006-01-02")), html.EscapeString(r.machine), html.EscapeString(r.command))
	for v := 0.0; v <= ymax+1e-9; v += 0.2 {
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/><text x="%.0f" y="%.1f" text-anchor="end" fill="#555">%.1f</text>`+"\n",
			left, width-right, y(v), y(v), left-6, y(v)+4, v)
	}
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="black" stroke-width="1.5"/>`+"\n", left, width-right, y(1), y(1))
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#c00" stroke-dasharray="4 3"/><text x="%.0f" y="%.1f" fill="#c00" text-anchor="end">0.95</text>`+"\n",
		left, width-right, y(0.95), y(0.95), width-right, y(0.95)+12)
	for i, sc := range scs {
		x0 := left + gap/2 + float64(i)*groupW
		for j, m := range modes {
			st, ok := r.stat(sc, m)
			if !ok {
				continue
			}
			x := x0 + float64(j)*barW
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %.2f (%.2f–%.2f)</title></rect>`+"\n",
				x, y(st.ratio), barW-2, y(0)-y(st.ratio), modeColor[m], html.EscapeString(m), html.EscapeString(sc), st.ratio, st.ratioLo, st.ratioHi)
			cx := x + (barW-2)/2
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#333"/>`+"\n", cx, cx, y(st.ratioLo), y(st.ratioHi))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9" fill="#333">%.2f</text>`+"\n", cx, y(st.ratioHi)-3, st.ratio)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x0+float64(len(modes))*barW/2, top+plotH+16, html.EscapeString(sc))
	}
	lx := left
	for _, m := range modes {
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n", lx, top+plotH+40, modeColor[m], lx+16, top+plotH+50, html.EscapeString(m))
		lx += 40 + 7*float64(len(m))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555">black line: floor (1.0); dashed red: the 0.95 target; incr/incr-spread/field: floor is one atomic UPDATE resp. SELECT + UPDATE of one column</text>`+"\n", left, top+plotH+80)
	b.WriteString("</svg>\n")
	return b.String()
}
