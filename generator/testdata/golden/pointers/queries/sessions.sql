-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, theme, prefs, roles)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.narg(name), sqlc.narg(admin), sqlc.narg(visits), sqlc.narg(user_id), sqlc.narg(count32), sqlc.narg(small), sqlc.narg(ratio), sqlc.narg(ratio32), sqlc.narg(login_at), sqlc.narg(timeout), sqlc.narg(secret), sqlc.narg(theme), sqlc.narg(prefs), sqlc.narg(roles));

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
    name = CASE WHEN sqlc.arg(set_name)::boolean THEN sqlc.narg(name)::text ELSE name END,
    admin = CASE WHEN sqlc.arg(set_admin)::boolean THEN sqlc.narg(admin)::boolean ELSE admin END,
    visits = CASE WHEN sqlc.arg(set_visits)::boolean THEN sqlc.narg(visits)::bigint ELSE visits END,
    user_id = CASE WHEN sqlc.arg(set_user_id)::boolean THEN sqlc.narg(user_id)::bigint ELSE user_id END,
    count32 = CASE WHEN sqlc.arg(set_count32)::boolean THEN sqlc.narg(count32)::integer ELSE count32 END,
    small = CASE WHEN sqlc.arg(set_small)::boolean THEN sqlc.narg(small)::smallint ELSE small END,
    ratio = CASE WHEN sqlc.arg(set_ratio)::boolean THEN sqlc.narg(ratio)::double precision ELSE ratio END,
    ratio32 = CASE WHEN sqlc.arg(set_ratio32)::boolean THEN sqlc.narg(ratio32)::real ELSE ratio32 END,
    login_at = CASE WHEN sqlc.arg(set_login_at)::boolean THEN sqlc.narg(login_at)::timestamptz ELSE login_at END,
    timeout = CASE WHEN sqlc.arg(set_timeout)::boolean THEN sqlc.narg(timeout)::bigint ELSE timeout END,
    secret = CASE WHEN sqlc.arg(set_secret)::boolean THEN sqlc.narg(secret)::bytea ELSE secret END,
    theme = CASE WHEN sqlc.arg(set_theme)::boolean THEN sqlc.narg(theme)::text ELSE theme END,
    prefs = CASE WHEN sqlc.arg(set_prefs)::boolean THEN sqlc.narg(prefs)::jsonb ELSE prefs END,
    roles = CASE WHEN sqlc.arg(set_roles)::boolean THEN sqlc.narg(roles)::jsonb ELSE roles END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: SaveSessionName :execrows
-- SaveSessionName writes the name column alone of a live session.
UPDATE sessions SET name = sqlc.narg(name)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionAdmin :execrows
-- SaveSessionAdmin writes the admin column alone of a live session.
UPDATE sessions SET admin = sqlc.narg(admin)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionVisits :execrows
-- SaveSessionVisits writes the visits column alone of a live session.
UPDATE sessions SET visits = sqlc.narg(visits)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.narg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCount32 :execrows
-- SaveSessionCount32 writes the count32 column alone of a live session.
UPDATE sessions SET count32 = sqlc.narg(count32)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.narg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.narg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRatio32 :execrows
-- SaveSessionRatio32 writes the ratio32 column alone of a live session.
UPDATE sessions SET ratio32 = sqlc.narg(ratio32)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionLoginAt :execrows
-- SaveSessionLoginAt writes the login_at column alone of a live session.
UPDATE sessions SET login_at = sqlc.narg(login_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTimeout :execrows
-- SaveSessionTimeout writes the timeout column alone of a live session.
UPDATE sessions SET timeout = sqlc.narg(timeout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionSecret :execrows
-- SaveSessionSecret writes the secret column alone of a live session.
UPDATE sessions SET secret = sqlc.narg(secret)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.narg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.narg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.narg(roles)
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

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
