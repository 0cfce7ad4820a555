-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, theme, flag, num, big, mid, small, ratio, frac, blob, wait
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, theme, flag, num, big, mid, small, ratio, frac, blob, wait
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, theme, flag, num, big, mid, small, ratio, frac, blob, wait
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, theme, flag, num, big, mid, small, ratio, frac, blob, wait)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.arg(theme), sqlc.arg(flag), sqlc.arg(num), sqlc.arg(big), sqlc.arg(mid), sqlc.arg(small), sqlc.arg(ratio), sqlc.arg(frac), sqlc.arg(blob), sqlc.arg(wait));

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
    theme = CASE WHEN sqlc.arg(set_theme)::boolean THEN sqlc.arg(theme)::text ELSE theme END,
    flag = CASE WHEN sqlc.arg(set_flag)::boolean THEN sqlc.arg(flag)::boolean ELSE flag END,
    num = CASE WHEN sqlc.arg(set_num)::boolean THEN sqlc.arg(num)::bigint ELSE num END,
    big = CASE WHEN sqlc.arg(set_big)::boolean THEN sqlc.arg(big)::bigint ELSE big END,
    mid = CASE WHEN sqlc.arg(set_mid)::boolean THEN sqlc.arg(mid)::integer ELSE mid END,
    small = CASE WHEN sqlc.arg(set_small)::boolean THEN sqlc.arg(small)::smallint ELSE small END,
    ratio = CASE WHEN sqlc.arg(set_ratio)::boolean THEN sqlc.arg(ratio)::double precision ELSE ratio END,
    frac = CASE WHEN sqlc.arg(set_frac)::boolean THEN sqlc.arg(frac)::real ELSE frac END,
    blob = CASE WHEN sqlc.arg(set_blob)::boolean THEN sqlc.arg(blob)::bytea ELSE blob END,
    wait = CASE WHEN sqlc.arg(set_wait)::boolean THEN sqlc.arg(wait)::bigint ELSE wait END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.arg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionFlag :execrows
-- SaveSessionFlag writes the flag column alone of a live session.
UPDATE sessions SET flag = sqlc.arg(flag)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionNum :execrows
-- SaveSessionNum writes the num column alone of a live session.
UPDATE sessions SET num = sqlc.arg(num)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionBig :execrows
-- SaveSessionBig writes the big column alone of a live session.
UPDATE sessions SET big = sqlc.arg(big)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionMid :execrows
-- SaveSessionMid writes the mid column alone of a live session.
UPDATE sessions SET mid = sqlc.arg(mid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.arg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.arg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionFrac :execrows
-- SaveSessionFrac writes the frac column alone of a live session.
UPDATE sessions SET frac = sqlc.arg(frac)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionBlob :execrows
-- SaveSessionBlob writes the blob column alone of a live session.
UPDATE sessions SET blob = sqlc.arg(blob)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionWait :execrows
-- SaveSessionWait writes the wait column alone of a live session.
UPDATE sessions SET wait = sqlc.arg(wait)
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
