-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, tiny, byte, port, count
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, tiny, byte, port, count
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, tiny, byte, port, count
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, name, admin, visits, user_id, count32, small, ratio, ratio32, login_at, timeout, secret, tiny, byte, port, count)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.arg(name), sqlc.arg(admin), sqlc.arg(visits), sqlc.arg(user_id), sqlc.arg(count32), sqlc.arg(small), sqlc.arg(ratio), sqlc.arg(ratio32), sqlc.arg(login_at), sqlc.arg(timeout), sqlc.arg(secret), sqlc.arg(tiny), sqlc.arg(byte), sqlc.arg(port), sqlc.arg(count));

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
    name = CASE WHEN sqlc.arg(set_name)::boolean THEN sqlc.arg(name)::text ELSE name END,
    admin = CASE WHEN sqlc.arg(set_admin)::boolean THEN sqlc.arg(admin)::boolean ELSE admin END,
    visits = CASE WHEN sqlc.arg(set_visits)::boolean THEN sqlc.arg(visits)::bigint ELSE visits END,
    user_id = CASE WHEN sqlc.arg(set_user_id)::boolean THEN sqlc.arg(user_id)::bigint ELSE user_id END,
    count32 = CASE WHEN sqlc.arg(set_count32)::boolean THEN sqlc.arg(count32)::integer ELSE count32 END,
    small = CASE WHEN sqlc.arg(set_small)::boolean THEN sqlc.arg(small)::smallint ELSE small END,
    ratio = CASE WHEN sqlc.arg(set_ratio)::boolean THEN sqlc.arg(ratio)::double precision ELSE ratio END,
    ratio32 = CASE WHEN sqlc.arg(set_ratio32)::boolean THEN sqlc.arg(ratio32)::real ELSE ratio32 END,
    login_at = CASE WHEN sqlc.arg(set_login_at)::boolean THEN sqlc.arg(login_at)::timestamptz ELSE login_at END,
    timeout = CASE WHEN sqlc.arg(set_timeout)::boolean THEN sqlc.arg(timeout)::bigint ELSE timeout END,
    secret = CASE WHEN sqlc.arg(set_secret)::boolean THEN sqlc.arg(secret)::bytea ELSE secret END,
    tiny = CASE WHEN sqlc.arg(set_tiny)::boolean THEN sqlc.arg(tiny)::smallint ELSE tiny END,
    byte = CASE WHEN sqlc.arg(set_byte)::boolean THEN sqlc.arg(byte)::smallint ELSE byte END,
    port = CASE WHEN sqlc.arg(set_port)::boolean THEN sqlc.arg(port)::integer ELSE port END,
    count = CASE WHEN sqlc.arg(set_count)::boolean THEN sqlc.arg(count)::bigint ELSE count END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: SaveSessionName :execrows
-- SaveSessionName writes the name column alone of a live session.
UPDATE sessions SET name = sqlc.arg(name)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionAdmin :execrows
-- SaveSessionAdmin writes the admin column alone of a live session.
UPDATE sessions SET admin = sqlc.arg(admin)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionVisits :execrows
-- SaveSessionVisits writes the visits column alone of a live session.
UPDATE sessions SET visits = sqlc.arg(visits)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.arg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCount32 :execrows
-- SaveSessionCount32 writes the count32 column alone of a live session.
UPDATE sessions SET count32 = sqlc.arg(count32)
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

-- name: SaveSessionTimeout :execrows
-- SaveSessionTimeout writes the timeout column alone of a live session.
UPDATE sessions SET timeout = sqlc.arg(timeout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionSecret :execrows
-- SaveSessionSecret writes the secret column alone of a live session.
UPDATE sessions SET secret = sqlc.arg(secret)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionTiny :execrows
-- SaveSessionTiny writes the tiny column alone of a live session.
UPDATE sessions SET tiny = sqlc.arg(tiny)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionByte :execrows
-- SaveSessionByte writes the byte column alone of a live session.
UPDATE sessions SET byte = sqlc.arg(byte)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionPort :execrows
-- SaveSessionPort writes the port column alone of a live session.
UPDATE sessions SET port = sqlc.arg(port)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCount :execrows
-- SaveSessionCount writes the count column alone of a live session.
UPDATE sessions SET count = sqlc.arg(count)
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
