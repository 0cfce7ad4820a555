package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	"github.com/sessiongen/sessiongen/generator"
)

// committedMigrations returns the example's committed migrations for e.
func committedMigrations(e *engine) ([]generator.MigrationFile, error) {
	var out []generator.MigrationFile
	err := fs.WalkDir(e.Migrations, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(e.Migrations, p)
		if err != nil {
			return err
		}
		out = append(out, generator.MigrationFile{Name: p, Data: data})
		return nil
	})
	return out, err
}

// additivePlan is what sessiongen plans for engine e when the example's
// Session struct gains one field: `Locale string `session:"locale,index"“
// (a NOT NULL text column with default ” and its index). It replays the
// committed migrations with e's dialect, plans the change with it, and
// writes the committed migrations plus the new ones into a temporary
// directory for dbmate.
func additivePlan(e *engine) (dir string, newFiles []string, err error) {
	existing, err := committedMigrations(e)
	if err != nil {
		return "", nil, err
	}
	r, err := e.Dialect.Replay(existing)
	if err != nil {
		return "", nil, err
	}
	cur := r.Tables["sessions"]
	if cur == nil {
		return "", nil, fmt.Errorf("the committed %s migrations create no sessions table", e.Title)
	}
	// The new column and its index in the model's vocabulary, translated
	// by the dialect: with its index, as the generator asks, since the
	// column's type may depend on it (MySQL: an indexed string is
	// VARCHAR(255), any other LONGTEXT, which a B-tree cannot hold whole).
	index := generator.Index{Name: generator.IndexName("sessions", "locale"), Columns: []string{"locale"}}
	added, err := e.Dialect.Want(&generator.TableSchema{Name: cur.Name, Columns: []generator.Column{{Name: "locale", Type: "text", Default: "''"}}, Indexes: []generator.Index{index}})
	if err != nil {
		return "", nil, err
	}
	want := cur.Clone()
	want.Columns = append(want.Columns, added.Columns...)
	want.Indexes = append(want.Indexes, added.Indexes...)
	plan, err := renderPlan(e.Dialect, cur, want, generator.PlanOptions{})
	if err != nil {
		return "", nil, err
	}
	dir, err = os.MkdirTemp("", "reliability-additive-")
	if err != nil {
		return "", nil, err
	}
	for _, f := range existing {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return dir, nil, err
		}
	}
	ts := generator.NextTimestamp(time.Now(), existing)
	for i, m := range plan {
		// renderPlan names the files from a fixed date; these follow the
		// committed ones.
		_, suffix, _ := strings.Cut(m.Name, "_")
		name := generator.MigrationFileName(ts.Add(time.Duration(i)*time.Second), strings.TrimSuffix(suffix, ".sql"))
		if err := os.WriteFile(filepath.Join(dir, name), m.Data, 0o644); err != nil {
			return dir, nil, err
		}
		newFiles = append(newFiles, name)
	}
	return dir, newFiles, nil
}

func newDBMate(dsn, dir string) *dbmate.DB {
	u, _ := url.Parse(dsn)
	dm := dbmate.New(u)
	dm.MigrationsDir = []string{dir}
	dm.AutoDumpSchema = false
	dm.Log = io.Discard
	return dm
}

// schemaChangeReport is the outcome of the old-code/new-schema run.
type schemaChangeReport struct {
	Engine     *engine
	Migrations []string
	UpTook     time.Duration
	DownTook   time.Duration
	Load       summary
	Panics     int64
	FinalOK    int
	Failures   []string
	Unexpect   []string
}

// runOldCodeNewSchema serves the current example (old code) under mixed
// load while the additive migration of a new field is applied, then rolled
// back, and checks that no request failed and no data was lost.
func runOldCodeNewSchema(ctx context.Context, e *engine, clients int, phase time.Duration) (*schemaChangeReport, error) {
	rep := &schemaChangeReport{Engine: e}
	db, err := e.create(ctx, "reliability_deploy")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	dir, files, err := additivePlan(e)
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return nil, err
	}
	rep.Migrations = files
	a, err := startApp(ctx, appOptions{PoolURL: db.URL, QueryTimeout: time.Second})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	lr := startLoad(lctx, a.URL, loadOptions{Clients: clients, Deadline: 3 * time.Second})
	time.Sleep(phase)
	dm := newDBMate(db.URL, dir)
	t := time.Now()
	if err := dm.Migrate(); err != nil {
		stop()
		lr.wait()
		return nil, fmt.Errorf("applying %v under traffic: %w", files, err)
	}
	rep.UpTook = time.Since(t)
	time.Sleep(phase)
	// Rolling back the additive migration is just as safe for the code
	// that never knew the column.
	t = time.Now()
	for range files {
		if err := dm.Rollback(); err != nil {
			stop()
			lr.wait()
			return nil, fmt.Errorf("rolling back under traffic: %w", err)
		}
	}
	rep.DownTook = time.Since(t)
	time.Sleep(phase)
	stop()
	st := lr.wait()
	rep.Load = st.summarize(time.Time{}, time.Time{})
	rep.Panics = a.Panics.Load()
	rep.FinalOK = st.finalOK
	rep.Unexpect = st.unexpect
	if n := rep.Load.Attempted - rep.Load.OK; n > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d of %d requests failed (4xx %d, 5xx %d, hung %d, no answer %d): %v",
			n, rep.Load.Attempted, rep.Load.C4xx, rep.Load.C5xx, rep.Load.Hung, rep.Load.Transport, st.unexpect))
	}
	if rep.Load.Lost > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d sessions lost data: %v", rep.Load.Lost, first(st.lost, 5)))
	}
	if rep.Panics > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d panics", rep.Panics))
	}
	return rep, nil
}

// indexReport is the outcome of the index run.
type indexReport struct {
	Engine        *engine
	Rows          int
	FillTook      time.Duration
	Migration     string
	IndexTook     time.Duration
	BaselineStall time.Duration // longest read before the index build
	Stall         time.Duration // longest read while the index was built
	Reads         int           // reads answered during the build
	WriteStall    time.Duration // longest write while the index was built
	Writes        int           // writes answered during the build
	Load          summary
	Failures      []string
}

// runIndexConcurrently fills the sessions table with rows, serves mixed load
// and applies the generated index migration (PostgreSQL: CREATE INDEX
// CONCURRENTLY; SQLite: CREATE INDEX, under the write lock), measuring the
// longest read and write during it.
func runIndexConcurrently(ctx context.Context, e *engine, rows, clients int, phase time.Duration) (*indexReport, error) {
	rep := &indexReport{Engine: e, Rows: rows}
	db, err := e.create(ctx, "reliability_index")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	conn, err := e.sqlDB(db)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	t := time.Now()
	if err := e.fillSessions(ctx, conn, rows); err != nil {
		return nil, fmt.Errorf("filling %d sessions: %w", rows, err)
	}
	rep.FillTook = time.Since(t)
	dir, files, err := additivePlan(e)
	if dir != "" {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		return nil, err
	}
	rep.Migration = fmt.Sprint(files)
	a, err := startApp(ctx, appOptions{PoolURL: db.URL, QueryTimeout: 3 * time.Second})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	lr := startLoad(lctx, a.URL, loadOptions{Clients: clients, Deadline: 5 * time.Second})
	time.Sleep(phase)
	dm := newDBMate(db.URL, dir)
	start := time.Now()
	err = dm.Migrate()
	end := time.Now()
	rep.IndexTook = end.Sub(start)
	time.Sleep(phase / 2)
	stop()
	st := lr.wait()
	if err != nil {
		return nil, fmt.Errorf("applying %v: %w", files, err)
	}
	name := generator.IndexName("sessions", "locale")
	if valid, err := e.indexValid(ctx, conn, name); err != nil || !valid {
		rep.Failures = append(rep.Failures, fmt.Sprintf("index %s not valid after the migration (%v)", name, err))
	}
	rep.BaselineStall, _ = st.maxOp(time.Time{}, start, true)
	rep.Stall, rep.Reads = st.maxOp(start, end, true)
	rep.WriteStall, rep.Writes = st.maxOp(start, end, false)
	rep.Load = st.summarize(time.Time{}, time.Time{})
	if n := rep.Load.Attempted - rep.Load.OK; n > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d requests failed: %v", n, st.unexpect))
	}
	if rep.Load.Lost > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d sessions lost data: %v", rep.Load.Lost, first(st.lost, 5)))
	}
	return rep, nil
}

// maxOp is the longest request that overlapped [from, to), and how many
// did: reads (GET) or writes (POST), /healthz left out.
func (s *loadStats) maxOp(from, to time.Time, reads bool) (time.Duration, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m time.Duration
	n := 0
	for _, r := range s.results {
		if strings.HasPrefix(r.op, "GET ") != reads || r.op == "GET /healthz" {
			continue
		}
		if !from.IsZero() && r.end.Before(from) || r.start.After(to) {
			continue
		}
		n++
		m = max(m, r.end.Sub(r.start))
	}
	return m, n
}
