-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock (whether a touch is due follows from it and last_seen_at).
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(user_id AS INTEGER) AS "user_id", tenant, CAST(name AS TEXT) AS "name", CAST(admin AS INTEGER) AS "admin", CAST(small AS INTEGER) AS "small", CAST(ratio AS REAL) AS "ratio", CAST(ratio32 AS REAL) AS "ratio32", CAST(login_at AS INTEGER) AS "login_at", logout, CAST(timeout AS INTEGER) AS "timeout", CAST(secret AS BLOB) AS "secret", CAST(cart AS TEXT) AS "cart", CAST(prefs AS TEXT) AS "prefs", CAST(flash AS TEXT) AS "flash"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession: SQLite has no row locks, so run it in a transaction begun with BEGIN IMMEDIATE, which holds the database's write lock until it ends.
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(user_id AS INTEGER) AS "user_id", tenant, CAST(name AS TEXT) AS "name", CAST(admin AS INTEGER) AS "admin", CAST(small AS INTEGER) AS "small", CAST(ratio AS REAL) AS "ratio", CAST(ratio32 AS REAL) AS "ratio32", CAST(login_at AS INTEGER) AS "login_at", logout, CAST(timeout AS INTEGER) AS "timeout", CAST(secret AS BLOB) AS "secret", CAST(cart AS TEXT) AS "cart", CAST(prefs AS TEXT) AS "prefs", CAST(flash AS TEXT) AS "flash"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(user_id AS INTEGER) AS "user_id", tenant, CAST(name AS TEXT) AS "name", CAST(admin AS INTEGER) AS "admin", CAST(small AS INTEGER) AS "small", CAST(ratio AS REAL) AS "ratio", CAST(ratio32 AS REAL) AS "ratio32", CAST(login_at AS INTEGER) AS "login_at", logout, CAST(timeout AS INTEGER) AS "timeout", CAST(secret AS BLOB) AS "secret", CAST(cart AS TEXT) AS "cart", CAST(prefs AS TEXT) AS "prefs", CAST(flash AS TEXT) AS "flash"
FROM sessions
WHERE expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AND token_hash IN (sqlc.slice(hashes))
ORDER BY last_seen_at DESC, token_hash
LIMIT 1;

-- name: RenewedSession :one
-- RenewedSession reports whether a live session was renewed away from one of the keys within the grace.
SELECT EXISTS (
    SELECT 1 FROM sessions
    WHERE renewed_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) - CAST(sqlc.arg(grace_us) AS INTEGER)
      AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
      AND previous_token_hash IN (sqlc.slice(hashes))
);

-- name: InsertSession :exec
-- InsertSession stores a new session whose lifetimes start now.
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS BOOLEAN), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + MIN(CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(sqlc.arg(idle_us) AS INTEGER)), sqlc.arg(user_id), sqlc.narg(tenant), sqlc.arg(name), sqlc.arg(admin), sqlc.arg(small), sqlc.arg(ratio), sqlc.arg(ratio32), sqlc.arg(login_at), sqlc.narg(logout), sqlc.arg(timeout), sqlc.arg(secret), sqlc.arg(cart), sqlc.arg(prefs), sqlc.arg(flash));

-- name: SaveSession :one
-- SaveSession writes the changed columns of a live session, moves it to a new key on renew, and touches it when asked.
UPDATE sessions SET
    previous_token_hash = CASE WHEN CAST(sqlc.arg(renew) AS BOOLEAN) THEN token_hash ELSE previous_token_hash END,
    renewed_at = CASE WHEN CAST(sqlc.arg(renew) AS BOOLEAN) THEN CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) ELSE renewed_at END,
    token_hash = sqlc.arg(new_token_hash),
    remember = CAST(sqlc.arg(remember) AS BOOLEAN),
    absolute_expires_at = CASE WHEN CAST(sqlc.arg(renew) AS BOOLEAN) THEN CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(absolute_us) AS INTEGER) ELSE absolute_expires_at END,
    last_seen_at = CASE WHEN CAST(sqlc.arg(touch) AS BOOLEAN) THEN CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) ELSE last_seen_at END,
    expires_at = CASE WHEN CAST(sqlc.arg(touch) AS BOOLEAN) THEN MIN(CASE WHEN CAST(sqlc.arg(renew) AS BOOLEAN) THEN CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(absolute_us) AS INTEGER) ELSE absolute_expires_at END, CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(idle_us) AS INTEGER)) ELSE expires_at END,
    user_id = CASE WHEN CAST(sqlc.arg(set_user_id) AS BOOLEAN) THEN CAST(sqlc.arg(user_id) AS INTEGER) ELSE user_id END,
    tenant = CASE WHEN CAST(sqlc.arg(set_tenant) AS BOOLEAN) THEN CAST(sqlc.narg(tenant) AS TEXT) ELSE tenant END,
    name = CASE WHEN CAST(sqlc.arg(set_name) AS BOOLEAN) THEN CAST(sqlc.arg(name) AS TEXT) ELSE name END,
    admin = CASE WHEN CAST(sqlc.arg(set_admin) AS BOOLEAN) THEN CAST(sqlc.arg(admin) AS INTEGER) ELSE admin END,
    small = CASE WHEN CAST(sqlc.arg(set_small) AS BOOLEAN) THEN CAST(sqlc.arg(small) AS INTEGER) ELSE small END,
    ratio = CASE WHEN CAST(sqlc.arg(set_ratio) AS BOOLEAN) THEN CAST(sqlc.arg(ratio) AS REAL) ELSE ratio END,
    ratio32 = CASE WHEN CAST(sqlc.arg(set_ratio32) AS BOOLEAN) THEN CAST(sqlc.arg(ratio32) AS REAL) ELSE ratio32 END,
    login_at = CASE WHEN CAST(sqlc.arg(set_login_at) AS BOOLEAN) THEN CAST(sqlc.arg(login_at) AS INTEGER) ELSE login_at END,
    logout = CASE WHEN CAST(sqlc.arg(set_logout) AS BOOLEAN) THEN CAST(sqlc.narg(logout) AS INTEGER) ELSE logout END,
    timeout = CASE WHEN CAST(sqlc.arg(set_timeout) AS BOOLEAN) THEN CAST(sqlc.arg(timeout) AS INTEGER) ELSE timeout END,
    secret = CASE WHEN CAST(sqlc.arg(set_secret) AS BOOLEAN) THEN CAST(sqlc.arg(secret) AS BLOB) ELSE secret END,
    cart = CASE WHEN CAST(sqlc.arg(set_cart) AS BOOLEAN) THEN CAST(sqlc.arg(cart) AS TEXT) ELSE cart END,
    prefs = CASE WHEN CAST(sqlc.arg(set_prefs) AS BOOLEAN) THEN CAST(sqlc.arg(prefs) AS TEXT) ELSE prefs END,
    flash = CASE WHEN CAST(sqlc.arg(set_flash) AS BOOLEAN) THEN CAST(sqlc.arg(flash) AS TEXT) ELSE flash END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, CAST(remember AS BOOLEAN) AS remember;

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.arg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionTenant :execrows
-- SaveSessionTenant writes the tenant column alone of a live session.
UPDATE sessions SET tenant = sqlc.narg(tenant)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionName :execrows
-- SaveSessionName writes the name column alone of a live session.
UPDATE sessions SET name = sqlc.arg(name)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionAdmin :execrows
-- SaveSessionAdmin writes the admin column alone of a live session.
UPDATE sessions SET admin = sqlc.arg(admin)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.arg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.arg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionRatio32 :execrows
-- SaveSessionRatio32 writes the ratio32 column alone of a live session.
UPDATE sessions SET ratio32 = sqlc.arg(ratio32)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionLoginAt :execrows
-- SaveSessionLoginAt writes the login_at column alone of a live session.
UPDATE sessions SET login_at = sqlc.arg(login_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionLogout :execrows
-- SaveSessionLogout writes the logout column alone of a live session.
UPDATE sessions SET logout = sqlc.narg(logout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionTimeout :execrows
-- SaveSessionTimeout writes the timeout column alone of a live session.
UPDATE sessions SET timeout = sqlc.arg(timeout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionSecret :execrows
-- SaveSessionSecret writes the secret column alone of a live session.
UPDATE sessions SET secret = sqlc.arg(secret)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.arg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionFlash :execrows
-- SaveSessionFlash writes the flash column alone of a live session.
UPDATE sessions SET flash = sqlc.arg(flash)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: TouchSession :one
-- TouchSession extends the idle expiry of a live session.
UPDATE sessions SET
    previous_token_hash = CASE WHEN renewed_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) - CAST(sqlc.arg(grace_us) AS INTEGER) THEN previous_token_hash END,
    last_seen_at = CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER),
    expires_at = MIN(absolute_expires_at, CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(idle_us) AS INTEGER))
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, CAST(remember AS BOOLEAN) AS remember;

-- name: DeleteSession :exec
-- DeleteSession deletes the session with this key, or the one it was renewed to within the grace.
DELETE FROM sessions
WHERE token_hash = sqlc.arg(token_hash)
   OR (previous_token_hash = sqlc.arg(token_hash) AND renewed_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) - CAST(sqlc.arg(grace_us) AS INTEGER));

-- name: DeleteExpiredSessions :execrows
-- DeleteExpiredSessions deletes a batch of expired sessions, oldest expiry first (SQLite has one writer at a time, so no row is skipped).
DELETE FROM sessions
WHERE token_hash IN (
    SELECT token_hash FROM sessions
    WHERE expires_at <= CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
    ORDER BY expires_at
    LIMIT sqlc.arg(batch)
);

-- name: CountSessions :one
-- CountSessions counts the live sessions.
SELECT count(*) FROM sessions
WHERE expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: ListSessionsByUserID :many
-- ListSessionsByUserID lists the live sessions with this user_id, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE user_id = sqlc.arg(user_id) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
ORDER BY last_seen_at DESC, token_hash;

-- name: DeleteSessionsByUserID :many
-- DeleteSessionsByUserID deletes every session with this user_id and returns their keys.
DELETE FROM sessions
WHERE user_id = sqlc.arg(user_id)
RETURNING token_hash;

-- name: DeleteOtherSessionsByUserID :many
-- DeleteOtherSessionsByUserID deletes every session with this user_id but the one with the given key (and the one renewed away from it), and returns their keys.
DELETE FROM sessions
WHERE user_id = sqlc.arg(user_id)
  AND token_hash IS NOT CAST(sqlc.narg(except_token_hash) AS BLOB)
  AND (previous_token_hash IS NULL OR previous_token_hash IS NOT CAST(sqlc.narg(except_token_hash) AS BLOB))
RETURNING token_hash;

-- name: ListSessionsByTenant :many
-- ListSessionsByTenant lists the live sessions with this tenant, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE tenant = sqlc.arg(tenant) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
ORDER BY last_seen_at DESC, token_hash;

-- name: DeleteSessionsByTenant :many
-- DeleteSessionsByTenant deletes every session with this tenant and returns their keys.
DELETE FROM sessions
WHERE tenant = sqlc.arg(tenant)
RETURNING token_hash;

-- name: DeleteOtherSessionsByTenant :many
-- DeleteOtherSessionsByTenant deletes every session with this tenant but the one with the given key (and the one renewed away from it), and returns their keys.
DELETE FROM sessions
WHERE tenant = sqlc.arg(tenant)
  AND token_hash IS NOT CAST(sqlc.narg(except_token_hash) AS BLOB)
  AND (previous_token_hash IS NULL OR previous_token_hash IS NOT CAST(sqlc.narg(except_token_hash) AS BLOB))
RETURNING token_hash;

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
-- SQLite: times are INTEGER microseconds since the Unix epoch (UTC) and the clock is SQLite's (3.42 or later).
