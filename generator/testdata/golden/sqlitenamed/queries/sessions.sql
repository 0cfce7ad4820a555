-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock (whether a touch is due follows from it and last_seen_at).
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(theme AS TEXT) AS "theme", CAST(flag AS INTEGER) AS "flag", CAST(num AS INTEGER) AS "num", CAST(big AS INTEGER) AS "big", CAST(mid AS INTEGER) AS "mid", CAST(small AS INTEGER) AS "small", CAST(ratio AS REAL) AS "ratio", CAST(frac AS REAL) AS "frac", CAST(blob AS BLOB) AS "blob", CAST(wait AS INTEGER) AS "wait"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession: SQLite has no row locks, so run it in a transaction begun with BEGIN IMMEDIATE, which holds the database's write lock until it ends.
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(theme AS TEXT) AS "theme", CAST(flag AS INTEGER) AS "flag", CAST(num AS INTEGER) AS "num", CAST(big AS INTEGER) AS "big", CAST(mid AS INTEGER) AS "mid", CAST(small AS INTEGER) AS "small", CAST(ratio AS REAL) AS "ratio", CAST(frac AS REAL) AS "frac", CAST(blob AS BLOB) AS "blob", CAST(wait AS INTEGER) AS "wait"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(theme AS TEXT) AS "theme", CAST(flag AS INTEGER) AS "flag", CAST(num AS INTEGER) AS "num", CAST(big AS INTEGER) AS "big", CAST(mid AS INTEGER) AS "mid", CAST(small AS INTEGER) AS "small", CAST(ratio AS REAL) AS "ratio", CAST(frac AS REAL) AS "frac", CAST(blob AS BLOB) AS "blob", CAST(wait AS INTEGER) AS "wait"
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, theme, flag, num, big, mid, small, ratio, frac, blob, wait)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS BOOLEAN), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + MIN(CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(sqlc.arg(idle_us) AS INTEGER)), sqlc.arg(theme), sqlc.arg(flag), sqlc.arg(num), sqlc.arg(big), sqlc.arg(mid), sqlc.arg(small), sqlc.arg(ratio), sqlc.arg(frac), sqlc.arg(blob), sqlc.arg(wait));

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
    theme = CASE WHEN CAST(sqlc.arg(set_theme) AS BOOLEAN) THEN CAST(sqlc.arg(theme) AS TEXT) ELSE theme END,
    flag = CASE WHEN CAST(sqlc.arg(set_flag) AS BOOLEAN) THEN CAST(sqlc.arg(flag) AS INTEGER) ELSE flag END,
    num = CASE WHEN CAST(sqlc.arg(set_num) AS BOOLEAN) THEN CAST(sqlc.arg(num) AS INTEGER) ELSE num END,
    big = CASE WHEN CAST(sqlc.arg(set_big) AS BOOLEAN) THEN CAST(sqlc.arg(big) AS INTEGER) ELSE big END,
    mid = CASE WHEN CAST(sqlc.arg(set_mid) AS BOOLEAN) THEN CAST(sqlc.arg(mid) AS INTEGER) ELSE mid END,
    small = CASE WHEN CAST(sqlc.arg(set_small) AS BOOLEAN) THEN CAST(sqlc.arg(small) AS INTEGER) ELSE small END,
    ratio = CASE WHEN CAST(sqlc.arg(set_ratio) AS BOOLEAN) THEN CAST(sqlc.arg(ratio) AS REAL) ELSE ratio END,
    frac = CASE WHEN CAST(sqlc.arg(set_frac) AS BOOLEAN) THEN CAST(sqlc.arg(frac) AS REAL) ELSE frac END,
    blob = CASE WHEN CAST(sqlc.arg(set_blob) AS BOOLEAN) THEN CAST(sqlc.arg(blob) AS BLOB) ELSE blob END,
    wait = CASE WHEN CAST(sqlc.arg(set_wait) AS BOOLEAN) THEN CAST(sqlc.arg(wait) AS INTEGER) ELSE wait END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, CAST(remember AS BOOLEAN) AS remember;

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.arg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionFlag :execrows
-- SaveSessionFlag writes the flag column alone of a live session.
UPDATE sessions SET flag = sqlc.arg(flag)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionNum :execrows
-- SaveSessionNum writes the num column alone of a live session.
UPDATE sessions SET num = sqlc.arg(num)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionBig :execrows
-- SaveSessionBig writes the big column alone of a live session.
UPDATE sessions SET big = sqlc.arg(big)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionMid :execrows
-- SaveSessionMid writes the mid column alone of a live session.
UPDATE sessions SET mid = sqlc.arg(mid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.arg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.arg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionFrac :execrows
-- SaveSessionFrac writes the frac column alone of a live session.
UPDATE sessions SET frac = sqlc.arg(frac)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionBlob :execrows
-- SaveSessionBlob writes the blob column alone of a live session.
UPDATE sessions SET blob = sqlc.arg(blob)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionWait :execrows
-- SaveSessionWait writes the wait column alone of a live session.
UPDATE sessions SET wait = sqlc.arg(wait)
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
