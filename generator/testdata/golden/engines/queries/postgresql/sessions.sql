-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.arg(user_id), sqlc.narg(tenant), sqlc.arg(name), sqlc.arg(admin), sqlc.arg(small), sqlc.arg(ratio), sqlc.arg(ratio32), sqlc.arg(login_at), sqlc.narg(logout), sqlc.arg(timeout), sqlc.arg(secret), sqlc.arg(cart), sqlc.arg(prefs), sqlc.arg(flash));

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
    user_id = CASE WHEN sqlc.arg(set_user_id)::boolean THEN sqlc.arg(user_id)::bigint ELSE user_id END,
    tenant = CASE WHEN sqlc.arg(set_tenant)::boolean THEN sqlc.narg(tenant)::text ELSE tenant END,
    name = CASE WHEN sqlc.arg(set_name)::boolean THEN sqlc.arg(name)::text ELSE name END,
    admin = CASE WHEN sqlc.arg(set_admin)::boolean THEN sqlc.arg(admin)::boolean ELSE admin END,
    small = CASE WHEN sqlc.arg(set_small)::boolean THEN sqlc.arg(small)::smallint ELSE small END,
    ratio = CASE WHEN sqlc.arg(set_ratio)::boolean THEN sqlc.arg(ratio)::double precision ELSE ratio END,
    ratio32 = CASE WHEN sqlc.arg(set_ratio32)::boolean THEN sqlc.arg(ratio32)::real ELSE ratio32 END,
    login_at = CASE WHEN sqlc.arg(set_login_at)::boolean THEN sqlc.arg(login_at)::timestamptz ELSE login_at END,
    logout = CASE WHEN sqlc.arg(set_logout)::boolean THEN sqlc.narg(logout)::timestamptz ELSE logout END,
    timeout = CASE WHEN sqlc.arg(set_timeout)::boolean THEN sqlc.arg(timeout)::bigint ELSE timeout END,
    secret = CASE WHEN sqlc.arg(set_secret)::boolean THEN sqlc.arg(secret)::bytea ELSE secret END,
    cart = CASE WHEN sqlc.arg(set_cart)::boolean THEN sqlc.arg(cart)::jsonb ELSE cart END,
    prefs = CASE WHEN sqlc.arg(set_prefs)::boolean THEN sqlc.arg(prefs)::jsonb ELSE prefs END,
    flash = CASE WHEN sqlc.arg(set_flash)::boolean THEN sqlc.arg(flash)::text ELSE flash END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.arg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTenant :execrows
-- SaveSessionTenant writes the tenant column alone of a live session.
UPDATE sessions SET tenant = sqlc.narg(tenant)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionName :execrows
-- SaveSessionName writes the name column alone of a live session.
UPDATE sessions SET name = sqlc.arg(name)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionAdmin :execrows
-- SaveSessionAdmin writes the admin column alone of a live session.
UPDATE sessions SET admin = sqlc.arg(admin)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.arg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.arg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRatio32 :execrows
-- SaveSessionRatio32 writes the ratio32 column alone of a live session.
UPDATE sessions SET ratio32 = sqlc.arg(ratio32)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionLoginAt :execrows
-- SaveSessionLoginAt writes the login_at column alone of a live session.
UPDATE sessions SET login_at = sqlc.arg(login_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionLogout :execrows
-- SaveSessionLogout writes the logout column alone of a live session.
UPDATE sessions SET logout = sqlc.narg(logout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTimeout :execrows
-- SaveSessionTimeout writes the timeout column alone of a live session.
UPDATE sessions SET timeout = sqlc.arg(timeout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionSecret :execrows
-- SaveSessionSecret writes the secret column alone of a live session.
UPDATE sessions SET secret = sqlc.arg(secret)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.arg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionFlash :execrows
-- SaveSessionFlash writes the flash column alone of a live session.
UPDATE sessions SET flash = sqlc.arg(flash)
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
-- ListSessionsByUserID lists the live sessions with this user_id, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE user_id = sqlc.arg(user_id) AND expires_at > now()
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

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
