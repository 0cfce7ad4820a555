package main

import (
	"context"
	"encoding/base32"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgStore is a gorilla/sessions Store on PostgreSQL with the design of the
// usual github.com/antonlindstrom/pgstore module, which is not served to this
// build: the cookie carries the session ID encoded (HMAC-signed) by
// securecookie; the http_sessions row stores the session values encoded by
// the same codecs (gob, HMAC, base64); New loads the row with one SELECT by
// key; Save INSERTs a new session, UPDATEs data and expiry of an existing
// one, and DELETEs it when Options.MaxAge < 0. Differences from pgstore: it
// runs on a pgxpool (pgstore uses database/sql with lib/pq, which needs more
// round trips per statement with arguments), and it selects only the columns
// it uses. Expiry is checked in Go after the SELECT by key: filtering
// "AND expires_on > now()" in SQL made PostgreSQL's generic plan for the
// prepared statement AND the key index with a range scan of the expiry
// index, which fell to a few hundred requests/s once the table held ~50k
// rows (an earlier run of this benchmark).
type pgStore struct {
	Codecs  []securecookie.Codec
	Options *sessions.Options
	pool    *pgxpool.Pool
}

const gorillaSchema = `
CREATE TABLE http_sessions (
    id BIGSERIAL PRIMARY KEY,
    key BYTEA,
    data BYTEA,
    created_on TIMESTAMPTZ DEFAULT NOW(),
    modified_on TIMESTAMPTZ,
    expires_on TIMESTAMPTZ
);
CREATE INDEX http_sessions_expiry_idx ON http_sessions (expires_on);
CREATE INDEX http_sessions_key_idx ON http_sessions (key);`

func newPGStore(ctx context.Context, pool *pgxpool.Pool, keyPairs ...[]byte) (*pgStore, error) {
	if _, err := pool.Exec(ctx, gorillaSchema); err != nil {
		return nil, err
	}
	s := &pgStore{
		Codecs:  securecookie.CodecsFromPairs(keyPairs...),
		Options: &sessions.Options{Path: "/", MaxAge: 86400 * 30, HttpOnly: true, SameSite: http.SameSiteLaxMode},
		pool:    pool,
	}
	s.MaxAge(s.Options.MaxAge)
	return s, nil
}

// Get returns the session of the request, from the per-request registry.
func (s *pgStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New returns the session named by the request's cookie, loaded from the
// database, or a new one.
func (s *pgStore) New(r *http.Request, name string) (*sessions.Session, error) {
	session := sessions.NewSession(s, name)
	opts := *s.Options
	session.Options = &opts
	session.IsNew = true
	var err error
	if c, errCookie := r.Cookie(name); errCookie == nil {
		err = securecookie.DecodeMulti(name, c.Value, &session.ID, s.Codecs...)
		if err == nil {
			err = s.load(r.Context(), session)
			if err == nil {
				session.IsNew = false
			} else if errors.Is(err, pgx.ErrNoRows) {
				err = nil
			}
		}
	}
	return session, err
}

// Save stores the session and sets the cookie; MaxAge < 0 deletes it.
func (s *pgStore) Save(r *http.Request, w http.ResponseWriter, session *sessions.Session) error {
	if session.Options.MaxAge < 0 {
		if err := s.destroy(r.Context(), session); err != nil {
			return err
		}
		http.SetCookie(w, sessions.NewCookie(session.Name(), "", session.Options))
		return nil
	}
	if session.ID == "" {
		session.ID = strings.TrimRight(base32.StdEncoding.EncodeToString(securecookie.GenerateRandomKey(32)), "=")
	}
	if err := s.save(r.Context(), session); err != nil {
		return err
	}
	encoded, err := securecookie.EncodeMulti(session.Name(), session.ID, s.Codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(session.Name(), encoded, session.Options))
	return nil
}

// MaxAge sets the maximum age of the store and of its codecs.
func (s *pgStore) MaxAge(age int) {
	s.Options.MaxAge = age
	for _, codec := range s.Codecs {
		if sc, ok := codec.(*securecookie.SecureCookie); ok {
			sc.MaxAge(age)
		}
	}
}

func (s *pgStore) load(ctx context.Context, session *sessions.Session) error {
	var data []byte
	var expiresOn time.Time
	err := s.pool.QueryRow(ctx, "SELECT data, expires_on FROM http_sessions WHERE key = $1", []byte(session.ID)).Scan(&data, &expiresOn)
	if err != nil {
		return err
	}
	if expiresOn.Before(time.Now()) {
		return pgx.ErrNoRows // expired: a new session
	}
	return securecookie.DecodeMulti(session.Name(), string(data), &session.Values, s.Codecs...)
}

func (s *pgStore) save(ctx context.Context, session *sessions.Session) error {
	encoded, err := securecookie.EncodeMulti(session.Name(), session.Values, s.Codecs...)
	if err != nil {
		return err
	}
	now := time.Now()
	expiresOn := now.Add(time.Second * time.Duration(session.Options.MaxAge))
	if session.IsNew {
		_, err = s.pool.Exec(ctx, "INSERT INTO http_sessions (key, data, created_on, modified_on, expires_on) VALUES ($1, $2, $3, $4, $5)",
			[]byte(session.ID), []byte(encoded), now, now, expiresOn)
		return err
	}
	_, err = s.pool.Exec(ctx, "UPDATE http_sessions SET data = $1, modified_on = $2, expires_on = $3 WHERE key = $4",
		[]byte(encoded), now, expiresOn, []byte(session.ID))
	return err
}

func (s *pgStore) destroy(ctx context.Context, session *sessions.Session) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM http_sessions WHERE key = $1", []byte(session.ID))
	return err
}
