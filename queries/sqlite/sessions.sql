-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock (whether a touch is due follows from it and last_seen_at).
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(user_id AS INTEGER) AS "user_id", CAST(email AS TEXT) AS "email", CAST(roles AS TEXT) AS "roles", CAST(cart AS TEXT) AS "cart", CAST(theme AS TEXT) AS "theme", mfa_at, CAST(counter AS INTEGER) AS "counter", CAST(notice AS TEXT) AS "notice"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession: SQLite has no row locks, so run it in a transaction begun with BEGIN IMMEDIATE, which holds the database's write lock until it ends.
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(user_id AS INTEGER) AS "user_id", CAST(email AS TEXT) AS "email", CAST(roles AS TEXT) AS "roles", CAST(cart AS TEXT) AS "cart", CAST(theme AS TEXT) AS "theme", mfa_at, CAST(counter AS INTEGER) AS "counter", CAST(notice AS TEXT) AS "notice"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(user_id AS INTEGER) AS "user_id", CAST(email AS TEXT) AS "email", CAST(roles AS TEXT) AS "roles", CAST(cart AS TEXT) AS "cart", CAST(theme AS TEXT) AS "theme", mfa_at, CAST(counter AS INTEGER) AS "counter", CAST(notice AS TEXT) AS "notice"
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, user_id, email, roles, cart, theme, mfa_at, counter, notice)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS BOOLEAN), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + MIN(CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(sqlc.arg(idle_us) AS INTEGER)), sqlc.arg(user_id), sqlc.arg(email), sqlc.arg(roles), sqlc.arg(cart), sqlc.arg(theme), sqlc.narg(mfa_at), sqlc.arg(counter), sqlc.arg(notice));

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
    email = CASE WHEN CAST(sqlc.arg(set_email) AS BOOLEAN) THEN CAST(sqlc.arg(email) AS TEXT) ELSE email END,
    roles = CASE WHEN CAST(sqlc.arg(set_roles) AS BOOLEAN) THEN CAST(sqlc.arg(roles) AS TEXT) ELSE roles END,
    cart = CASE WHEN CAST(sqlc.arg(set_cart) AS BOOLEAN) THEN CAST(sqlc.arg(cart) AS TEXT) ELSE cart END,
    theme = CASE WHEN CAST(sqlc.arg(set_theme) AS BOOLEAN) THEN CAST(sqlc.arg(theme) AS TEXT) ELSE theme END,
    mfa_at = CASE WHEN CAST(sqlc.arg(set_mfa_at) AS BOOLEAN) THEN CAST(sqlc.narg(mfa_at) AS INTEGER) ELSE mfa_at END,
    counter = CASE WHEN CAST(sqlc.arg(set_counter) AS BOOLEAN) THEN CAST(sqlc.arg(counter) AS INTEGER) ELSE counter END,
    notice = CASE WHEN CAST(sqlc.arg(set_notice) AS BOOLEAN) THEN CAST(sqlc.arg(notice) AS TEXT) ELSE notice END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, CAST(remember AS BOOLEAN) AS remember;

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.arg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionEmail :execrows
-- SaveSessionEmail writes the email column alone of a live session.
UPDATE sessions SET email = sqlc.arg(email)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.arg(roles)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.arg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionMFAAt :execrows
-- SaveSessionMFAAt writes the mfa_at column alone of a live session.
UPDATE sessions SET mfa_at = sqlc.narg(mfa_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionCounter :execrows
-- SaveSessionCounter writes the counter column alone of a live session.
UPDATE sessions SET counter = sqlc.arg(counter)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionNotice :execrows
-- SaveSessionNotice writes the notice column alone of a live session.
UPDATE sessions SET notice = sqlc.arg(notice)
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

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
-- SQLite: times are INTEGER microseconds since the Unix epoch (UTC) and the clock is SQLite's (3.42 or later).
