package sessionimpl

import (
	"context"
	"errors"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
)

// ErrNotFound is returned by a Backend when no live (unexpired) row has the
// given token hash.
var ErrNotFound = errors.New("sessionrt: session not found or expired")

// Lifetime carries the timeouts that apply to one write, in the units the
// SQL expects.
type Lifetime struct {
	Idle     time.Duration // idle timeout; expires_at = least(absolute, now()+Idle)
	Absolute time.Duration // absolute lifetime from now, applied on insert and renew
	Remember bool          // value written to the remember column
	// Grace is sessionrt.Config.RenewGrace: a touch forgets a key renewed away longer
	// ago, so the partial index on previous_token_hash stays small.
	Grace time.Duration
	// Touch makes a Save also refresh last_seen_at and the idle expiry. The
	// runtime sets it only when a touch is due (or on renew), so most writes
	// leave the indexed expires_at alone and PostgreSQL can update the row in
	// place (a HOT update).
	Touch bool
}

// Record is the generated, typed half of one session: the payload values and
// which of them changed since they were loaded or last saved.
type Record interface {
	// Changed reports whether any payload field was set since the last save.
	Changed() bool
	// Saved clears the change marks after a successful write.
	Saved()
	// Absorb copies into the receiver every field of src (a record of the
	// same type, freshly read from the database) that the receiver has not
	// changed itself. Update uses it to refresh the request's view.
	Absorb(src Record)
	// Size is the encoded size in bytes of the variable-length payload the
	// row holds once the changes are written (every text, bytea and jsonb
	// column); writes over sessionrt.Config.MaxPayloadBytes fail.
	Size() int
	// Merge copies into the receiver every field src (a record of the same
	// type) has changed, with its change mark cleared: the in-memory
	// engine writes a save with it.
	Merge(src Record)
	// Zero sets every field to its zero value with no change marks, for a
	// request that goes on with a new session after Destroy.
	Zero()
}

// Backend is implemented by generated code on top of the sqlc queries for one
// sessions table. Every method runs exactly one SQL statement on c. Methods
// that look a session up enforce expiry in SQL and return ErrNotFound when no
// live row matches; none of them ever inserts a row that an update missed.
type Backend interface {
	// New returns an empty record bound to st.
	New(st *State) Record
	// Get reads the live session with this token hash into rec. With lock it
	// reads FOR UPDATE (inside a transaction).
	Get(ctx context.Context, c Conn, hash []byte, lock bool, touchAfter time.Duration, rec Record) (Loaded, error)
	// GetAny is Get for a request that carried several cookies of the
	// session's name: it reads the most recently used live session among
	// hashes and returns its hash.
	GetAny(ctx context.Context, c Conn, hashes [][]byte, touchAfter time.Duration, rec Record) ([]byte, Loaded, error)
	// Renewed reports whether a live session was renewed away from one of
	// hashes less than grace ago. It reads nothing else of that session.
	Renewed(ctx context.Context, c Conn, hashes [][]byte, grace time.Duration) (bool, error)
	// Insert stores rec as a new session whose lifetimes start now. It
	// returns nothing back: the runtime knows the new row's lifecycle.
	Insert(ctx context.Context, c Conn, hash []byte, rec Record, lt Lifetime) error
	// Save writes the changed fields of rec, moves the row to newHash (equal
	// to hash unless renewing), with lt.Touch refreshes last_seen_at and the
	// idle expiry, and with renew restarts the absolute lifetime.
	Save(ctx context.Context, c Conn, hash, newHash []byte, renew bool, rec Record, lt Lifetime) (sessionrt.Meta, error)
	// SaveOne writes the only changed field of rec with a single-column
	// UPDATE of the live row, the cheapest statement that saves it; the
	// lifecycle columns are left alone. It reports false, running nothing,
	// when rec has not exactly one changed field.
	SaveOne(ctx context.Context, c Conn, hash []byte, rec Record) (bool, error)
	// Touch refreshes last_seen_at and the idle expiry of a live session.
	Touch(ctx context.Context, c Conn, hash []byte, lt Lifetime) (sessionrt.Meta, error)
	// Delete removes the session with this hash, or the session renewed
	// away from it less than grace ago; deleting a missing one is not an
	// error.
	Delete(ctx context.Context, c Conn, hash []byte, grace time.Duration) error
	// DeleteExpired deletes at most limit expired rows, skipping rows that
	// another instance has locked, and reports how many it deleted.
	DeleteExpired(ctx context.Context, c Conn, limit int) (int64, error)
	// Count reports the number of live sessions.
	Count(ctx context.Context, c Conn) (int64, error)
	// EvictChannel is the NOTIFY channel on which the table's triggers
	// publish the keys of changed and deleted rows, or "" when the table was
	// generated without them (sessiongen -cache).
	EvictChannel() string
}

// Loaded is what a read of a stored session returns besides the record.
type Loaded struct {
	Meta     sessionrt.Meta
	TouchDue bool      // by the database clock, last_seen_at is at least the touch interval old
	Now      time.Time // the database clock at the read
}
