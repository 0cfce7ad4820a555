package lifecycletest

import (
	"context"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// Memory is the in-memory engine (sessionimpl.NewMemory) with Rec records.
// Its clock is the process's: tests that move the database clock
// (Env.Backdate) skip on it.
func Memory() Engine { return Engine{Name: "memory", New: NewMemoryEnv} }

// NewMemoryEnv returns an env on a fresh in-memory engine.
func NewMemoryEnv(t testing.TB, cfg sessionrt.Config) *Env {
	t.Helper()
	mem := sessionimpl.NewMemory(NewRec)
	e := newEnv(t, cfg, mem, mem, memStorage{mem})
	e.Mem = mem
	return e
}

// memStorage reads and changes the in-memory engine through its listing
// methods, as the generated ListBy and DestroyBy methods do.
type memStorage struct{ mem *sessionimpl.Memory }

func all(sessionimpl.Record) bool { return true }

func (s memStorage) live(context.Context) ([]Row, error) {
	var out []Row
	// The match function sees each live record; it matches none, so the
	// listing itself is empty.
	s.mem.List(func(r sessionimpl.Record) bool {
		out = append(out, r.(*Rec).row())
		return false
	})
	return out, nil
}

func (s memStorage) metas(context.Context) ([]sessionrt.Meta, error) {
	var out []sessionrt.Meta
	for _, l := range s.mem.List(all) {
		out = append(out, l.Meta)
	}
	return out, nil
}

func (s memStorage) rows(ctx context.Context) (int, error) {
	rows, err := s.live(ctx)
	return len(rows), err
}

func (s memStorage) clear(context.Context) error {
	s.mem.DeleteWhere(all, nil)
	return nil
}

func (s memStorage) backdate(context.Context, time.Duration, time.Duration) (bool, error) {
	return false, nil
}

func byUser(uid int64) func(sessionimpl.Record) bool {
	return func(r sessionimpl.Record) bool { return r.(*Rec).UserID() == uid }
}

func (s memStorage) list(_ context.Context, uid int64) ([]sessionimpl.Listed, error) {
	return s.mem.List(byUser(uid)), nil
}

func (s memStorage) deleteUser(_ context.Context, uid int64, except []byte) ([][]byte, error) {
	return s.mem.DeleteWhere(byUser(uid), except), nil
}

func (s memStorage) traced() bool           { return false }
func (s memStorage) trace() (int, []string) { return 0, nil }
