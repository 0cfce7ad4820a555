-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock (whether a touch is due follows from it and last_seen_at).
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession: SQLite has no row locks, so run it in a transaction begun with BEGIN IMMEDIATE, which holds the database's write lock until it ends.
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS BOOLEAN), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + MIN(CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(sqlc.arg(idle_us) AS INTEGER)), sqlc.narg(name), sqlc.narg(admin), sqlc.narg(visits), sqlc.narg(user_id), sqlc.narg(count32), sqlc.narg(small), sqlc.narg(ratio), sqlc.narg(ratio32), sqlc.narg(login_at), sqlc.narg(timeout), sqlc.narg(secret), sqlc.narg(theme), sqlc.narg(prefs), sqlc.narg(roles));

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
    name = CASE WHEN CAST(sqlc.arg(set_name) AS BOOLEAN) THEN CAST(sqlc.narg(name) AS TEXT) ELSE name END,
    admin = CASE WHEN CAST(sqlc.arg(set_admin) AS BOOLEAN) THEN CAST(sqlc.narg(admin) AS INTEGER) ELSE admin END,
    visits = CASE WHEN CAST(sqlc.arg(set_visits) AS BOOLEAN) THEN CAST(sqlc.narg(visits) AS INTEGER) ELSE visits END,
    user_id = CASE WHEN CAST(sqlc.arg(set_user_id) AS BOOLEAN) THEN CAST(sqlc.narg(user_id) AS INTEGER) ELSE user_id END,
    count32 = CASE WHEN CAST(sqlc.arg(set_count32) AS BOOLEAN) THEN CAST(sqlc.narg(count32) AS INTEGER) ELSE count32 END,
    small = CASE WHEN CAST(sqlc.arg(set_small) AS BOOLEAN) THEN CAST(sqlc.narg(small) AS INTEGER) ELSE small END,
    ratio = CASE WHEN CAST(sqlc.arg(set_ratio) AS BOOLEAN) THEN CAST(sqlc.narg(ratio) AS REAL) ELSE ratio END,
    ratio32 = CASE WHEN CAST(sqlc.arg(set_ratio32) AS BOOLEAN) THEN CAST(sqlc.narg(ratio32) AS REAL) ELSE ratio32 END,
    login_at = CASE WHEN CAST(sqlc.arg(set_login_at) AS BOOLEAN) THEN CAST(sqlc.narg(login_at) AS INTEGER) ELSE login_at END,
    timeout = CASE WHEN CAST(sqlc.arg(set_timeout) AS BOOLEAN) THEN CAST(sqlc.narg(timeout) AS INTEGER) ELSE timeout END,
    secret = CASE WHEN CAST(sqlc.arg(set_secret) AS BOOLEAN) THEN CAST(sqlc.narg(secret) AS BLOB) ELSE secret END,
    theme = CASE WHEN CAST(sqlc.arg(set_theme) AS BOOLEAN) THEN CAST(sqlc.narg(theme) AS TEXT) ELSE theme END,
    prefs = CASE WHEN CAST(sqlc.arg(set_prefs) AS BOOLEAN) THEN CAST(sqlc.narg(prefs) AS TEXT) ELSE prefs END,
    roles = CASE WHEN CAST(sqlc.arg(set_roles) AS BOOLEAN) THEN CAST(sqlc.narg(roles) AS TEXT) ELSE roles END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, CAST(remember AS BOOLEAN) AS remember;

-- name: SaveSessionName :execrows
-- SaveSessionName writes the name column alone of a live session.
UPDATE sessions SET name = sqlc.narg(name)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionAdmin :execrows
-- SaveSessionAdmin writes the admin column alone of a live session.
UPDATE sessions SET admin = sqlc.narg(admin)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionVisits :execrows
-- SaveSessionVisits writes the visits column alone of a live session.
UPDATE sessions SET visits = sqlc.narg(visits)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.narg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionCount32 :execrows
-- SaveSessionCount32 writes the count32 column alone of a live session.
UPDATE sessions SET count32 = sqlc.narg(count32)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.narg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.narg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionRatio32 :execrows
-- SaveSessionRatio32 writes the ratio32 column alone of a live session.
UPDATE sessions SET ratio32 = sqlc.narg(ratio32)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionLoginAt :execrows
-- SaveSessionLoginAt writes the login_at column alone of a live session.
UPDATE sessions SET login_at = sqlc.narg(login_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionTimeout :execrows
-- SaveSessionTimeout writes the timeout column alone of a live session.
UPDATE sessions SET timeout = sqlc.narg(timeout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionSecret :execrows
-- SaveSessionSecret writes the secret column alone of a live session.
UPDATE sessions SET secret = sqlc.narg(secret)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.narg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.narg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.narg(roles)
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

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
-- SQLite: times are INTEGER microseconds since the Unix epoch (UTC) and the clock is SQLite's (3.42 or later).
