package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/amacneil/dbmate/v2/pkg/dbmate"
	"github.com/jackc/pgx/v5"
	"github.com/sessiongen/sessiongen/generator"
	"github.com/sessiongen/sessiongen/schema"
)

// committedMigrations returns the example's committed migrations.
func committedMigrations() ([]generator.MigrationFile, error) {
	var out []generator.MigrationFile
	migrations := schema.PostgreSQL()
	err := fs.WalkDir(migrations, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations, p)
		if err != nil {
			return err
		}
		out = append(out, generator.MigrationFile{Name: p, Data: data})
		return nil
	})
	return out, err
}

// additivePlan is what sessiongen plans when the example's Session struct
// gains one field: `Locale string `session:"locale,index"“ (a NOT NULL
// text column with default ” and its index). It writes the committed
// migrations plus the new ones into a temporary directory for dbmate.
func additivePlan() (dir string, newFiles []string, err error) {
	existing, err := committedMigrations()
	if err != nil {
		return "", nil, err
	}
	cur, err := generator.Replay(existing, "sessions")
	if err != nil {
		return "", nil, err
	}
	if cur == nil {
		return "", nil, fmt.Errorf("the committed migrations create no sessions table")
	}
	want := &generator.TableSchema{Name: cur.Name, Columns: slices.Clone(cur.Columns), Indexes: slices.Clone(cur.Indexes)}
	want.Columns = append(want.Columns, generator.Column{Name: "locale", Type: "text", Default: "''"})
	want.Indexes = append(want.Indexes, generator.Index{Name: generator.IndexName("sessions", "locale"), Columns: []string{"locale"}})
	plan, err := generator.Plan(cur, want, generator.PlanOptions{})
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
		data, err := generator.RenderMigration(m)
		if err != nil {
			return dir, nil, err
		}
		name := generator.MigrationFileName(ts.Add(time.Duration(i)*time.Second), m.Name)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
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
func runOldCodeNewSchema(ctx context.Context, clients int, phase time.Duration) (*schemaChangeReport, error) {
	rep := &schemaChangeReport{}
	db, err := createDB(ctx, "reliability_deploy")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	dir, files, err := additivePlan()
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

// indexReport is the outcome of the CREATE INDEX CONCURRENTLY run.
type indexReport struct {
	Rows          int
	FillTook      time.Duration
	Migration     string
	IndexTook     time.Duration
	BaselineStall time.Duration // longest read before the index build
	Stall         time.Duration // longest read while the index was built
	Reads         int           // reads answered during the build
	Load          summary
	Failures      []string
}

// runIndexConcurrently fills the sessions table with rows, serves mixed load
// and applies the generated index migration (CREATE INDEX CONCURRENTLY),
// measuring the longest read during it.
func runIndexConcurrently(ctx context.Context, rows, clients int, phase time.Duration) (*indexReport, error) {
	rep := &indexReport{Rows: rows}
	db, err := createDB(ctx, "reliability_index")
	if err != nil {
		return nil, err
	}
	defer db.drop()
	if err := migrateApp(db.URL); err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	t := time.Now()
	if _, err := conn.Exec(ctx, `INSERT INTO sessions (token_hash, expires_at, absolute_expires_at, user_id, email, roles, cart, theme, counter)
		SELECT sha256(int8send(i)), now() + interval '1 hour', now() + interval '8 hours', 1000 + i % 5000,
			'user' || i || '@example.com', '["user"]', '[{"sku":"x","qty":1}]', 'dark', i
		FROM generate_series(1, $1) i`, rows); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE sessions"); err != nil {
		return nil, err
	}
	rep.FillTook = time.Since(t)
	dir, files, err := additivePlan()
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
	var valid bool
	if err := conn.QueryRow(ctx, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'sessions_locale_idx'::regclass`).Scan(&valid); err != nil || !valid {
		rep.Failures = append(rep.Failures, fmt.Sprintf("index sessions_locale_idx not valid after the migration (%v)", err))
	}
	rep.BaselineStall, _ = st.maxRead(time.Time{}, start)
	rep.Stall, rep.Reads = st.maxRead(start, end)
	rep.Load = st.summarize(time.Time{}, time.Time{})
	if n := rep.Load.Attempted - rep.Load.OK; n > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d requests failed: %v", n, st.unexpect))
	}
	if rep.Load.Lost > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%d sessions lost data: %v", rep.Load.Lost, first(st.lost, 5)))
	}
	return rep, nil
}

// maxRead is the longest GET that overlapped [from, to), and how many GETs
// did.
func (s *loadStats) maxRead(from, to time.Time) (time.Duration, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m time.Duration
	n := 0
	for _, r := range s.results {
		if r.op[:3] != "GET" || r.op == "GET /healthz" {
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
