-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, tenant, notice, level, shown, count, at, wait, blob, alert, errors, fields, banner, rich, grid, counter
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, tenant, notice, level, shown, count, at, wait, blob, alert, errors, fields, banner, rich, grid, counter
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, tenant, notice, level, shown, count, at, wait, blob, alert, errors, fields, banner, rich, grid, counter
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, user_id, tenant, notice, level, shown, count, at, wait, blob, alert, errors, fields, banner, rich, grid, counter)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.arg(user_id), sqlc.narg(tenant), sqlc.arg(notice), sqlc.arg(level), sqlc.arg(shown), sqlc.arg(count), sqlc.arg(at), sqlc.arg(wait), sqlc.arg(blob), sqlc.narg(alert), sqlc.arg(errors), sqlc.arg(fields), sqlc.arg(banner), sqlc.arg(rich), sqlc.arg(grid), sqlc.arg(counter));

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
    notice = CASE WHEN sqlc.arg(set_notice)::boolean THEN sqlc.arg(notice)::text ELSE notice END,
    level = CASE WHEN sqlc.arg(set_level)::boolean THEN sqlc.arg(level)::text ELSE level END,
    shown = CASE WHEN sqlc.arg(set_shown)::boolean THEN sqlc.arg(shown)::boolean ELSE shown END,
    count = CASE WHEN sqlc.arg(set_count)::boolean THEN sqlc.arg(count)::integer ELSE count END,
    at = CASE WHEN sqlc.arg(set_at)::boolean THEN sqlc.arg(at)::timestamptz ELSE at END,
    wait = CASE WHEN sqlc.arg(set_wait)::boolean THEN sqlc.arg(wait)::bigint ELSE wait END,
    blob = CASE WHEN sqlc.arg(set_blob)::boolean THEN sqlc.arg(blob)::bytea ELSE blob END,
    alert = CASE WHEN sqlc.arg(set_alert)::boolean THEN sqlc.narg(alert)::text ELSE alert END,
    errors = CASE WHEN sqlc.arg(set_errors)::boolean THEN sqlc.arg(errors)::jsonb ELSE errors END,
    fields = CASE WHEN sqlc.arg(set_fields)::boolean THEN sqlc.arg(fields)::jsonb ELSE fields END,
    banner = CASE WHEN sqlc.arg(set_banner)::boolean THEN sqlc.arg(banner)::jsonb ELSE banner END,
    rich = CASE WHEN sqlc.arg(set_rich)::boolean THEN sqlc.arg(rich)::jsonb ELSE rich END,
    grid = CASE WHEN sqlc.arg(set_grid)::boolean THEN sqlc.arg(grid)::jsonb ELSE grid END,
    counter = CASE WHEN sqlc.arg(set_counter)::boolean THEN sqlc.arg(counter)::bigint ELSE counter END
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

-- name: SaveSessionNotice :execrows
-- SaveSessionNotice writes the notice column alone of a live session.
UPDATE sessions SET notice = sqlc.arg(notice)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionLevel :execrows
-- SaveSessionLevel writes the level column alone of a live session.
UPDATE sessions SET level = sqlc.arg(level)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionShown :execrows
-- SaveSessionShown writes the shown column alone of a live session.
UPDATE sessions SET shown = sqlc.arg(shown)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCount :execrows
-- SaveSessionCount writes the count column alone of a live session.
UPDATE sessions SET count = sqlc.arg(count)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionAt :execrows
-- SaveSessionAt writes the at column alone of a live session.
UPDATE sessions SET at = sqlc.arg(at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionWait :execrows
-- SaveSessionWait writes the wait column alone of a live session.
UPDATE sessions SET wait = sqlc.arg(wait)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionBlob :execrows
-- SaveSessionBlob writes the blob column alone of a live session.
UPDATE sessions SET blob = sqlc.arg(blob)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionAlert :execrows
-- SaveSessionAlert writes the alert column alone of a live session.
UPDATE sessions SET alert = sqlc.narg(alert)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionErrors :execrows
-- SaveSessionErrors writes the errors column alone of a live session.
UPDATE sessions SET errors = sqlc.arg(errors)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionFields :execrows
-- SaveSessionFields writes the fields column alone of a live session.
UPDATE sessions SET fields = sqlc.arg(fields)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionBanner :execrows
-- SaveSessionBanner writes the banner column alone of a live session.
UPDATE sessions SET banner = sqlc.arg(banner)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRich :execrows
-- SaveSessionRich writes the rich column alone of a live session.
UPDATE sessions SET rich = sqlc.arg(rich)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionGrid :execrows
-- SaveSessionGrid writes the grid column alone of a live session.
UPDATE sessions SET grid = sqlc.arg(grid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCounter :execrows
-- SaveSessionCounter writes the counter column alone of a live session.
UPDATE sessions SET counter = sqlc.arg(counter)
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
