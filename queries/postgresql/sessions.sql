-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, email, roles, cart, theme, mfa_at, counter, notice
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, email, roles, cart, theme, mfa_at, counter, notice
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, user_id, email, roles, cart, theme, mfa_at, counter, notice
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, user_id, email, roles, cart, theme, mfa_at, counter, notice)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.arg(user_id), sqlc.arg(email), sqlc.arg(roles), sqlc.arg(cart), sqlc.arg(theme), sqlc.narg(mfa_at), sqlc.arg(counter), sqlc.arg(notice));

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
    email = CASE WHEN sqlc.arg(set_email)::boolean THEN sqlc.arg(email)::text ELSE email END,
    roles = CASE WHEN sqlc.arg(set_roles)::boolean THEN sqlc.arg(roles)::jsonb ELSE roles END,
    cart = CASE WHEN sqlc.arg(set_cart)::boolean THEN sqlc.arg(cart)::jsonb ELSE cart END,
    theme = CASE WHEN sqlc.arg(set_theme)::boolean THEN sqlc.arg(theme)::text ELSE theme END,
    mfa_at = CASE WHEN sqlc.arg(set_mfa_at)::boolean THEN sqlc.narg(mfa_at)::timestamptz ELSE mfa_at END,
    counter = CASE WHEN sqlc.arg(set_counter)::boolean THEN sqlc.arg(counter)::bigint ELSE counter END,
    notice = CASE WHEN sqlc.arg(set_notice)::boolean THEN sqlc.arg(notice)::text ELSE notice END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.arg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionEmail :execrows
-- SaveSessionEmail writes the email column alone of a live session.
UPDATE sessions SET email = sqlc.arg(email)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.arg(roles)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.arg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionMFAAt :execrows
-- SaveSessionMFAAt writes the mfa_at column alone of a live session.
UPDATE sessions SET mfa_at = sqlc.narg(mfa_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCounter :execrows
-- SaveSessionCounter writes the counter column alone of a live session.
UPDATE sessions SET counter = sqlc.arg(counter)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionNotice :execrows
-- SaveSessionNotice writes the notice column alone of a live session.
UPDATE sessions SET notice = sqlc.arg(notice)
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

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
