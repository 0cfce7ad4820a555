-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, theme, flag, num, big, mid, small, ratio, frac, blob_data, wait
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction it runs in ends (Update's).
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, theme, flag, num, big, mid, small, ratio, frac, blob_data, wait
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, theme, flag, num, big, mid, small, ratio, frac, blob_data, wait
FROM sessions
WHERE expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AND token_hash IN (sqlc.slice(hashes))
ORDER BY last_seen_at DESC, token_hash
LIMIT 1;

-- name: RenewedSession :one
-- RenewedSession reports whether a live session was renewed away from one of the keys within the grace.
SELECT EXISTS (
    SELECT 1 FROM sessions
    WHERE renewed_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(grace_us) AS SIGNED)
      AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
      AND previous_token_hash IN (sqlc.slice(hashes))
);

-- name: InsertSession :exec
-- InsertSession stores a new session whose lifetimes start now.
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, theme, flag, num, big, mid, small, ratio, frac, blob_data, wait)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS UNSIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + LEAST(CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(sqlc.arg(idle_us) AS SIGNED)), sqlc.arg(theme), sqlc.arg(flag), sqlc.arg(num), sqlc.arg(big), sqlc.arg(mid), sqlc.arg(small), sqlc.arg(ratio), sqlc.arg(frac), sqlc.arg(blob_data), sqlc.arg(wait));

-- name: SaveSession :execrows
-- SaveSession writes the changed columns of a live session, moves it to a new key on renew, and touches it when asked. MySQL has no RETURNING: run it in a transaction, then GetSessionMeta with the new key. MySQL assigns left to right, each right-hand side seeing the columns already assigned: previous_token_hash is set before token_hash changes.
UPDATE sessions SET
    previous_token_hash = CASE WHEN CAST(sqlc.arg(renew) AS UNSIGNED) THEN token_hash ELSE previous_token_hash END,
    renewed_at = CASE WHEN CAST(sqlc.arg(renew) AS UNSIGNED) THEN CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) ELSE renewed_at END,
    token_hash = sqlc.arg(new_token_hash),
    remember = CAST(sqlc.arg(remember) AS UNSIGNED),
    absolute_expires_at = CASE WHEN CAST(sqlc.arg(renew) AS UNSIGNED) THEN CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(absolute_us) AS SIGNED) ELSE absolute_expires_at END,
    last_seen_at = CASE WHEN CAST(sqlc.arg(touch) AS UNSIGNED) THEN CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) ELSE last_seen_at END,
    expires_at = CASE WHEN CAST(sqlc.arg(touch) AS UNSIGNED) THEN LEAST(CASE WHEN CAST(sqlc.arg(renew) AS UNSIGNED) THEN CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(absolute_us) AS SIGNED) ELSE absolute_expires_at END, CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(idle_us) AS SIGNED)) ELSE expires_at END,
    theme = CASE WHEN CAST(sqlc.arg(set_theme) AS UNSIGNED) THEN sqlc.arg(theme) ELSE theme END,
    flag = CASE WHEN CAST(sqlc.arg(set_flag) AS UNSIGNED) THEN sqlc.arg(flag) ELSE flag END,
    num = CASE WHEN CAST(sqlc.arg(set_num) AS UNSIGNED) THEN sqlc.arg(num) ELSE num END,
    big = CASE WHEN CAST(sqlc.arg(set_big) AS UNSIGNED) THEN sqlc.arg(big) ELSE big END,
    mid = CASE WHEN CAST(sqlc.arg(set_mid) AS UNSIGNED) THEN sqlc.arg(mid) ELSE mid END,
    small = CASE WHEN CAST(sqlc.arg(set_small) AS UNSIGNED) THEN sqlc.arg(small) ELSE small END,
    ratio = CASE WHEN CAST(sqlc.arg(set_ratio) AS UNSIGNED) THEN sqlc.arg(ratio) ELSE ratio END,
    frac = CASE WHEN CAST(sqlc.arg(set_frac) AS UNSIGNED) THEN sqlc.arg(frac) ELSE frac END,
    blob_data = CASE WHEN CAST(sqlc.arg(set_blob_data) AS UNSIGNED) THEN sqlc.arg(blob_data) ELSE blob_data END,
    wait = CASE WHEN CAST(sqlc.arg(set_wait) AS UNSIGNED) THEN sqlc.arg(wait) ELSE wait END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: GetSessionMeta :one
-- GetSessionMeta reads the lifecycle columns of the live session with this key: what SaveSession and TouchSession return where the engine has RETURNING. Run it in the transaction of the UPDATE, whose row lock keeps them as the UPDATE left them. No row means the UPDATE found none: MySQL's affected-rows count cannot tell, since it counts the rows an UPDATE changed, and writing the values a row already has changes none.
SELECT created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.arg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionFlag :execrows
-- SaveSessionFlag writes the flag column alone of a live session.
UPDATE sessions SET flag = sqlc.arg(flag)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionNum :execrows
-- SaveSessionNum writes the num column alone of a live session.
UPDATE sessions SET num = sqlc.arg(num)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionBig :execrows
-- SaveSessionBig writes the big column alone of a live session.
UPDATE sessions SET big = sqlc.arg(big)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionMid :execrows
-- SaveSessionMid writes the mid column alone of a live session.
UPDATE sessions SET mid = sqlc.arg(mid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.arg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.arg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionFrac :execrows
-- SaveSessionFrac writes the frac column alone of a live session.
UPDATE sessions SET frac = sqlc.arg(frac)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionBlob :execrows
-- SaveSessionBlob writes the blob_data column alone of a live session.
UPDATE sessions SET blob_data = sqlc.arg(blob_data)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionWait :execrows
-- SaveSessionWait writes the wait column alone of a live session.
UPDATE sessions SET wait = sqlc.arg(wait)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: TouchSession :execrows
-- TouchSession extends the idle expiry of a live session. MySQL has no RETURNING: run it in a transaction, then GetSessionMeta.
UPDATE sessions SET
    previous_token_hash = CASE WHEN renewed_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(grace_us) AS SIGNED) THEN previous_token_hash END,
    last_seen_at = CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED),
    expires_at = LEAST(absolute_expires_at, CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(idle_us) AS SIGNED))
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: DeleteSession :exec
-- DeleteSession deletes the session with this key, or the one it was renewed to within the grace.
DELETE FROM sessions
WHERE token_hash = sqlc.arg(token_hash)
   OR (previous_token_hash = sqlc.arg(token_hash) AND renewed_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(grace_us) AS SIGNED));

-- name: DeleteExpiredSessions :execrows
-- DeleteExpiredSessions deletes a batch of expired sessions, oldest expiry first, in one statement through the expires_at index. A DELETE cannot skip locked rows: reapers on several instances wait for each other's batch rather than share it. (LIMIT takes a bare ?, which sqlc names limit and types int32.)
DELETE FROM sessions
WHERE expires_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
ORDER BY expires_at
LIMIT ?;

-- name: CountSessions :one
-- CountSessions counts the live sessions.
SELECT count(*) FROM sessions
WHERE expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
-- MySQL 8.0.29+ and MariaDB 10.6+: times are BIGINT microseconds since the Unix epoch (UTC) and the clock is the server's, read once per statement.
-- Without RETURNING, Save and Touch run in a transaction with GetSessionMeta, and the deletes by an indexed column with their Lock query.
