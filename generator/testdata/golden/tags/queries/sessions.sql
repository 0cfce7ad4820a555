-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, uid, email_address, tenant, login_at, theme, key_hash, nickname, plain
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, uid, email_address, tenant, login_at, theme, key_hash, nickname, plain
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, uid, email_address, tenant, login_at, theme, key_hash, nickname, plain
FROM sessions
WHERE token_hash = ANY(sqlc.arg(hashes)::bytea[]) AND expires_at > now()
ORDER BY last_seen_at DESC, token_hash
LIMIT 1;

-- name: RenewedSession :one
-- RenewedSession reports whether a live session was renewed away from one of the keys within the grace.
SELECT EXISTS (
    SELECT 1 FROM sessions
    WHERE previous_token_hash = ANY(sqlc.arg(hashes)::bytea[])
      AND renewed_at > now() - sqlc.arg(grace_us)::bigint * interval '1 microsecond'
      AND expires_at > now()
);

-- name: InsertSession :exec
-- InsertSession stores a new session whose lifetimes start now.
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, uid, email_address, tenant, login_at, theme, key_hash, nickname, plain)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.arg(uid), sqlc.arg(email_address), sqlc.narg(tenant), sqlc.arg(login_at), sqlc.arg(theme), sqlc.arg(key_hash), sqlc.arg(nickname), sqlc.arg(plain));

-- name: SaveSession :one
-- SaveSession writes the changed columns of a live session, moves it to a new key on renew, and touches it when asked.
UPDATE sessions SET
    previous_token_hash = CASE WHEN sqlc.arg(renew)::boolean THEN token_hash ELSE previous_token_hash END,
    renewed_at = CASE WHEN sqlc.arg(renew)::boolean THEN now() ELSE renewed_at END,
    token_hash = sqlc.arg(new_token_hash),
    remember = sqlc.arg(remember),
    absolute_expires_at = CASE WHEN sqlc.arg(renew)::boolean THEN now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond' ELSE absolute_expires_at END,
    last_seen_at = CASE WHEN sqlc.arg(touch)::boolean THEN now() ELSE last_seen_at END,
    expires_at = CASE WHEN sqlc.arg(touch)::boolean THEN LEAST(CASE WHEN sqlc.arg(renew)::boolean THEN now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond' ELSE absolute_expires_at END, now() + sqlc.arg(idle_us)::bigint * interval '1 microsecond') ELSE expires_at END,
    uid = CASE WHEN sqlc.arg(set_uid)::boolean THEN sqlc.arg(uid)::bigint ELSE uid END,
    email_address = CASE WHEN sqlc.arg(set_email_address)::boolean THEN sqlc.arg(email_address)::text ELSE email_address END,
    tenant = CASE WHEN sqlc.arg(set_tenant)::boolean THEN sqlc.narg(tenant)::text ELSE tenant END,
    login_at = CASE WHEN sqlc.arg(set_login_at)::boolean THEN sqlc.arg(login_at)::timestamptz ELSE login_at END,
    theme = CASE WHEN sqlc.arg(set_theme)::boolean THEN sqlc.arg(theme)::text ELSE theme END,
    key_hash = CASE WHEN sqlc.arg(set_key_hash)::boolean THEN sqlc.arg(key_hash)::bytea ELSE key_hash END,
    nickname = CASE WHEN sqlc.arg(set_nickname)::boolean THEN sqlc.arg(nickname)::text ELSE nickname END,
    plain = CASE WHEN sqlc.arg(set_plain)::boolean THEN sqlc.arg(plain)::integer ELSE plain END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the uid column alone of a live session.
UPDATE sessions SET uid = sqlc.arg(uid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionEmail :execrows
-- SaveSessionEmail writes the email_address column alone of a live session.
UPDATE sessions SET email_address = sqlc.arg(email_address)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTenant :execrows
-- SaveSessionTenant writes the tenant column alone of a live session.
UPDATE sessions SET tenant = sqlc.narg(tenant)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionLoginAt :execrows
-- SaveSessionLoginAt writes the login_at column alone of a live session.
UPDATE sessions SET login_at = sqlc.arg(login_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.arg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionKey :execrows
-- SaveSessionKey writes the key_hash column alone of a live session.
UPDATE sessions SET key_hash = sqlc.arg(key_hash)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionNick :execrows
-- SaveSessionNick writes the nickname column alone of a live session.
UPDATE sessions SET nickname = sqlc.arg(nickname)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionPlain :execrows
-- SaveSessionPlain writes the plain column alone of a live session.
UPDATE sessions SET plain = sqlc.arg(plain)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: TouchSession :one
-- TouchSession extends the idle expiry of a live session.
UPDATE sessions SET
    previous_token_hash = CASE WHEN renewed_at > now() - sqlc.arg(grace_us)::bigint * interval '1 microsecond' THEN previous_token_hash END,
    last_seen_at = now(),
    expires_at = LEAST(absolute_expires_at, now() + sqlc.arg(idle_us)::bigint * interval '1 microsecond')
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: DeleteSession :exec
-- DeleteSession deletes the session with this key, or the one it was renewed to within the grace.
DELETE FROM sessions
WHERE token_hash = sqlc.arg(token_hash)
   OR (previous_token_hash = sqlc.arg(token_hash) AND renewed_at > now() - sqlc.arg(grace_us)::bigint * interval '1 microsecond');

-- name: DeleteExpiredSessions :execrows
-- DeleteExpiredSessions deletes a batch of expired sessions, skipping rows another reaper holds.
DELETE FROM sessions
WHERE token_hash IN (
    SELECT token_hash FROM sessions
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT sqlc.arg(batch)::integer
    FOR UPDATE SKIP LOCKED
);

-- name: CountSessions :one
-- CountSessions counts the live sessions.
SELECT count(*) FROM sessions
WHERE expires_at > now();

-- name: ListSessionsByUserID :many
-- ListSessionsByUserID lists the live sessions with this uid, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE uid = sqlc.arg(uid) AND expires_at > now()
ORDER BY last_seen_at DESC, token_hash;

-- name: DeleteSessionsByUserID :many
-- DeleteSessionsByUserID deletes every session with this uid and returns their keys.
DELETE FROM sessions
WHERE uid = sqlc.arg(uid)
RETURNING token_hash;

-- name: DeleteOtherSessionsByUserID :many
-- DeleteOtherSessionsByUserID deletes every session with this uid but the one with the given key (and the one renewed away from it), and returns their keys.
DELETE FROM sessions
WHERE uid = sqlc.arg(uid)
  AND token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea
  AND (previous_token_hash IS NULL OR previous_token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea)
RETURNING token_hash;

-- name: ListSessionsByEmail :many
-- ListSessionsByEmail lists the live sessions with this email_address, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE email_address = sqlc.arg(email_address) AND expires_at > now()
ORDER BY last_seen_at DESC, token_hash;

-- name: DeleteSessionsByEmail :many
-- DeleteSessionsByEmail deletes every session with this email_address and returns their keys.
DELETE FROM sessions
WHERE email_address = sqlc.arg(email_address)
RETURNING token_hash;

-- name: DeleteOtherSessionsByEmail :many
-- DeleteOtherSessionsByEmail deletes every session with this email_address but the one with the given key (and the one renewed away from it), and returns their keys.
DELETE FROM sessions
WHERE email_address = sqlc.arg(email_address)
  AND token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea
  AND (previous_token_hash IS NULL OR previous_token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea)
RETURNING token_hash;

-- name: ListSessionsByTenant :many
-- ListSessionsByTenant lists the live sessions with this tenant, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE tenant = sqlc.arg(tenant) AND expires_at > now()
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
  AND token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea
  AND (previous_token_hash IS NULL OR previous_token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea)
RETURNING token_hash;

-- name: ListSessionsByLoginAt :many
-- ListSessionsByLoginAt lists the live sessions with this login_at, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE login_at = sqlc.arg(login_at) AND expires_at > now()
ORDER BY last_seen_at DESC, token_hash;

-- name: DeleteSessionsByLoginAt :many
-- DeleteSessionsByLoginAt deletes every session with this login_at and returns their keys.
DELETE FROM sessions
WHERE login_at = sqlc.arg(login_at)
RETURNING token_hash;

-- name: DeleteOtherSessionsByLoginAt :many
-- DeleteOtherSessionsByLoginAt deletes every session with this login_at but the one with the given key (and the one renewed away from it), and returns their keys.
DELETE FROM sessions
WHERE login_at = sqlc.arg(login_at)
  AND token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea
  AND (previous_token_hash IS NULL OR previous_token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea)
RETURNING token_hash;

-- name: ListSessionsByTheme :many
-- ListSessionsByTheme lists the live sessions with this theme, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE theme = sqlc.arg(theme) AND expires_at > now()
ORDER BY last_seen_at DESC, token_hash;

-- name: DeleteSessionsByTheme :many
-- DeleteSessionsByTheme deletes every session with this theme and returns their keys.
DELETE FROM sessions
WHERE theme = sqlc.arg(theme)
RETURNING token_hash;

-- name: DeleteOtherSessionsByTheme :many
-- DeleteOtherSessionsByTheme deletes every session with this theme but the one with the given key (and the one renewed away from it), and returns their keys.
DELETE FROM sessions
WHERE theme = sqlc.arg(theme)
  AND token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea
  AND (previous_token_hash IS NULL OR previous_token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea)
RETURNING token_hash;

-- name: ListSessionsByKey :many
-- ListSessionsByKey lists the live sessions with this key_hash, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE key_hash = sqlc.arg(key_hash) AND expires_at > now()
ORDER BY last_seen_at DESC, token_hash;

-- name: DeleteSessionsByKey :many
-- DeleteSessionsByKey deletes every session with this key_hash and returns their keys.
DELETE FROM sessions
WHERE key_hash = sqlc.arg(key_hash)
RETURNING token_hash;

-- name: DeleteOtherSessionsByKey :many
-- DeleteOtherSessionsByKey deletes every session with this key_hash but the one with the given key (and the one renewed away from it), and returns their keys.
DELETE FROM sessions
WHERE key_hash = sqlc.arg(key_hash)
  AND token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea
  AND (previous_token_hash IS NULL OR previous_token_hash IS DISTINCT FROM sqlc.narg(except_token_hash)::bytea)
RETURNING token_hash;

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
