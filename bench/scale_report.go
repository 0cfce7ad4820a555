package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

func perRow(n, rows int64) string {
	if rows <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", float64(n)/float64(rows))
}

func count(n int64) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%d million", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%d thousand", n/1000)
	}
	return fmt.Sprint(n)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// indexNames returns the index names of a size snapshot, sorted.
func (r relSizes) indexNames() []string {
	var out []string
	for k := range r.indexes {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// markdown renders the generated section of docs/SCALE.md.
func (r *scaleResults) markdown() string {
	var b strings.Builder
	o, so := r.o, r.so
	fmt.Fprintf(&b, "### Run of %s\n\n", r.started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Command: `%s` (took %s)\n", r.command, r.elapsed.Round(time.Second))
	fmt.Fprintf(&b, "- Machine: %s; shared with other work, so compare figures within this run, as ratios\n", r.machine)
	var set []string
	for _, k := range []string{"autovacuum", "shared_buffers", "max_wal_size", "synchronous_commit", "autovacuum_naptime", "autovacuum_vacuum_cost_limit", "autovacuum_vacuum_cost_delay"} {
		if v, ok := r.settings[k]; ok {
			set = append(set, k+" "+v)
		}
	}
	fmt.Fprintf(&b, "- Go %s, PostgreSQL %s on 127.0.0.1 (same machine), server settings untouched: %s\n", strings.TrimPrefix(r.goVer, "go"), r.pgVer, strings.Join(set, ", "))
	fmt.Fprintf(&b, "- Load as in BENCHMARKS.md: %d keep-alive HTTP workers, %d pgx connections per app instance, %s windows, %d rounds; sessions picked uniformly at random among all the loaded rows; req/s is the median over the rounds, p50/p99 over all of them\n\n",
		o.workers, o.conns, o.duration, o.rounds)

	b.WriteString("#### 1. Requests at size\n\n")
	b.WriteString("| rows | loaded with COPY | VACUUM ANALYZE | read req/s | read p50 | read p99 | write req/s | write p50 | write p99 | writes HOT | errors |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, st := range r.steps {
		hot := "–"
		if st.upd > 0 {
			hot = fmt.Sprintf("%.0f%%", 100*float64(st.hot)/float64(st.upd))
		}
		fmt.Fprintf(&b, "| %s | %d rows/s | %s | %.0f | %s | %s | %.0f | %s | %s | %s | %d |\n", count(st.rows),
			int64(float64(st.copied)/st.copyTook.Seconds()), secs(st.vacuumTook),
			st.readP.rps, ms(st.readP.p50), ms(st.readP.p99), st.writeP.rps, ms(st.writeP.p50), ms(st.writeP.p99), hot, st.readP.errs+st.writeP.errs)
	}
	if len(r.steps) > 1 {
		f, l := r.steps[0], r.steps[len(r.steps)-1]
		fmt.Fprintf(&b, "\n%s rows against %s: read req/s × %.2f, p99 × %.2f; write req/s × %.2f, p99 × %.2f.\n",
			count(l.rows), count(f.rows), l.readP.rps/f.readP.rps, float64(l.readP.p99)/float64(f.readP.p99),
			l.writeP.rps/f.writeP.rps, float64(l.writeP.p99)/float64(f.writeP.p99))
	}

	b.WriteString("\n#### 2. Bytes per session\n\n")
	b.WriteString("After VACUUM ANALYZE, example payload (user id, email, 2 roles, 2 cart items, theme, MFA time on half the rows, counter), never renewed. Bytes per session = relation size ÷ rows.\n\n")
	if len(r.steps) > 0 {
		names := r.steps[len(r.steps)-1].sz.indexNames()
		b.WriteString("| rows | heap | TOAST+FSM+VM |")
		for _, n := range names {
			b.WriteString(" " + n + " |")
		}
		b.WriteString(" total |\n|---:|---:|---:|")
		for range names {
			b.WriteString("---:|")
		}
		b.WriteString("---:|\n")
		for _, st := range r.steps {
			z := st.sz
			fmt.Fprintf(&b, "| %s | %s (%s B) | %s (%s B) |", count(st.rows), mb(z.heap), perRow(z.heap, z.rows), mb(z.rest), perRow(z.rest, z.rows))
			for _, n := range names {
				fmt.Fprintf(&b, " %s (%s B) |", mb(z.indexes[n]), perRow(z.indexes[n], z.rows))
			}
			fmt.Fprintf(&b, " **%s (%s B)** |\n", mb(z.total), perRow(z.total, z.rows))
		}
	}

	if rp := r.reap; rp != nil {
		b.WriteString("\n#### 3. Reaper under read load\n\n")
		fmt.Fprintf(&b, "%s expired rows loaded with COPY beside the %s live ones (VACUUM ANALYZE after), then `Reap(ctx, 0)` (batches of %d, `DELETE … WHERE token_hash IN (SELECT … ORDER BY expires_at LIMIT … FOR UPDATE SKIP LOCKED)`) while %d workers read live sessions.\n\n",
			count(rp.rows), count(r.so.size), 1000, o.workers)
		b.WriteString("| deleted | took | rows/s | read req/s without | read p50/p99 without | read req/s while reaping | read p50/p99 while reaping | p99 ratio | expired left | VACUUM after |\n")
		b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		fmt.Fprintf(&b, "| %d | %s | **%.0f** | %.0f | %s / %s | %.0f | %s / %s | **× %.2f** | %d | %s |\n",
			rp.deleted, secs(rp.took), float64(rp.deleted)/rp.took.Seconds(), rp.before.rps, ms(rp.before.p50), ms(rp.before.p99),
			rp.during.rps, ms(rp.during.p50), ms(rp.during.p99), float64(rp.during.p99)/float64(max(rp.before.p99, 1)), rp.remaining, secs(rp.vacuumTook))
	}

	if len(r.churn) > 0 {
		b.WriteString("\n#### 4. Churn\n\n")
		if r.settings["autovacuum"] == "off" {
			b.WriteString("**autovacuum is off on this server**: the per-table settings cannot take effect and no autovacuum runs; what the table does without any vacuum.\n\n")
		}
		fmt.Fprintf(&b, "On the %s-row table: cycles of %s at %.0f new sessions/s (logins through the real stack), half as many one-field writes to recent sessions (HOT candidates), sessions expiring %s after their last touch (touch at most every %s, absolute lifetime %s), `Reap` every %s. "+
			"First %d cycles under autovacuum's defaults, then %d under `ALTER TABLE sessions SET (%s)` on the same table. Sizes and statistics at the end of each cycle (pg_stat_user_tables; n_dead_tup is PostgreSQL's estimate).\n\n",
			count(so.size), so.churnCycle, so.churnRate, so.churnCycle, so.churnCycle/4, 2*so.churnCycle, so.reapEvery, so.churnCycles, so.churnCycles, recommendedSettings)
		names := r.churn[len(r.churn)-1].sz.indexNames()
		b.WriteString("| settings | cycle | logins/s | writes (HOT %) | reaped | expired left | heap |")
		for _, n := range names {
			b.WriteString(" " + n + " |")
		}
		b.WriteString(" n_live_tup | n_dead_tup | autovacuums in cycle |\n|---|---:|---:|---:|---:|---:|---:|")
		for range names {
			b.WriteString("---:|")
		}
		b.WriteString("---:|---:|---:|\n")
		for _, c := range r.churn {
			fmt.Fprintf(&b, "| %s | %d | %.0f | %d (%.0f%%) | %d | %d | %s |", c.setting, c.cycle, float64(c.logins)/c.elapsed.Seconds(),
				c.writes, hotPct(c), c.reaped, c.pending, mb(c.sz.heap))
			for _, n := range names {
				fmt.Fprintf(&b, " %s |", mb(c.sz.indexes[n]))
			}
			fmt.Fprintf(&b, " %d | %d | %d |\n", c.st.live, c.st.dead, c.st.autovacuums-c.prev.autovacuums)
		}
		var errs, expired int64
		for _, c := range r.churn {
			errs += c.errs
			expired += c.expiredWrites
		}
		fmt.Fprintf(&b, "\nErrors: %d; writes that found their session already expired (401, not counted above): %d.\n", errs, expired)
	}

	if len(r.inst) > 0 {
		b.WriteString("\n#### 5. App instances on one database\n\n")
		fmt.Fprintf(&b, "Separate processes (the bench binary re-executed), each with its own pool of %d connections; one load generator, worker w sending to instance w mod n.\n\n", o.conns)
		b.WriteString("| instances | read req/s | read p50/p99 | write req/s | write p50/p99 | read ratio to 1 | write ratio to 1 | errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, st := range r.inst {
			fmt.Fprintf(&b, "| %d | %.0f | %s / %s | %.0f | %s / %s | %.2f | %.2f | %d |\n", st.n, st.read.rps, ms(st.read.p50), ms(st.read.p99),
				st.write.rps, ms(st.write.p50), ms(st.write.p99), st.read.rps/r.inst[0].read.rps, st.write.rps/r.inst[0].write.rps, st.read.errs+st.write.errs)
		}
		if m := r.mreap; m != nil {
			fmt.Fprintf(&b, "\n`Reap` started at once in all %d instances over %d expired rows:\n\n", len(m.shares), m.expired)
			b.WriteString("| instance | deleted | took |\n|---:|---:|---:|\n")
			for i, sh := range m.shares {
				fmt.Fprintf(&b, "| %d | %d | %s |\n", i+1, sh.deleted, ms(sh.took))
			}
			ok := "yes"
			if m.total != m.expired || m.nTupDel != m.expired || m.remaining != 0 {
				ok = "**no**"
			}
			fmt.Fprintf(&b, "\nSum of the DELETEs' row counts %d, expired rows before %d, n_tup_del change %d, expired rows left %d: every expired row deleted exactly once: %s. Wall time %s (%.0f rows/s together).\n",
				m.total, m.expired, m.nTupDel, m.remaining, ok, secs(m.took), float64(m.total)/m.took.Seconds())
		}
	}
	return b.String()
}
