-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, user_id, email, roles, cart, theme, mfa_at, counter, notice
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction it runs in ends (Update's).
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, user_id, email, roles, cart, theme, mfa_at, counter, notice
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, user_id, email, roles, cart, theme, mfa_at, counter, notice
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, user_id, email, roles, cart, theme, mfa_at, counter, notice)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS UNSIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + LEAST(CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(sqlc.arg(idle_us) AS SIGNED)), sqlc.arg(user_id), sqlc.arg(email), sqlc.arg(roles), sqlc.arg(cart), sqlc.arg(theme), sqlc.narg(mfa_at), sqlc.arg(counter), sqlc.arg(notice));

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
    user_id = CASE WHEN CAST(sqlc.arg(set_user_id) AS UNSIGNED) THEN sqlc.arg(user_id) ELSE user_id END,
    email = CASE WHEN CAST(sqlc.arg(set_email) AS UNSIGNED) THEN sqlc.arg(email) ELSE email END,
    roles = CASE WHEN CAST(sqlc.arg(set_roles) AS UNSIGNED) THEN sqlc.arg(roles) ELSE roles END,
    cart = CASE WHEN CAST(sqlc.arg(set_cart) AS UNSIGNED) THEN sqlc.arg(cart) ELSE cart END,
    theme = CASE WHEN CAST(sqlc.arg(set_theme) AS UNSIGNED) THEN sqlc.arg(theme) ELSE theme END,
    mfa_at = CASE WHEN CAST(sqlc.arg(set_mfa_at) AS UNSIGNED) THEN sqlc.narg(mfa_at) ELSE mfa_at END,
    counter = CASE WHEN CAST(sqlc.arg(set_counter) AS UNSIGNED) THEN sqlc.arg(counter) ELSE counter END,
    notice = CASE WHEN CAST(sqlc.arg(set_notice) AS UNSIGNED) THEN sqlc.arg(notice) ELSE notice END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: GetSessionMeta :one
-- GetSessionMeta reads the lifecycle columns of the live session with this key: what SaveSession and TouchSession return where the engine has RETURNING. Run it in the transaction of the UPDATE, whose row lock keeps them as the UPDATE left them. No row means the UPDATE found none: MySQL's affected-rows count cannot tell, since it counts the rows an UPDATE changed, and writing the values a row already has changes none.
SELECT created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionUserID :execrows
-- SaveSessionUserID writes the user_id column alone of a live session.
UPDATE sessions SET user_id = sqlc.arg(user_id)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionEmail :execrows
-- SaveSessionEmail writes the email column alone of a live session.
UPDATE sessions SET email = sqlc.arg(email)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.arg(roles)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionTheme :execrows
-- SaveSessionTheme writes the theme column alone of a live session.
UPDATE sessions SET theme = sqlc.arg(theme)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionMFAAt :execrows
-- SaveSessionMFAAt writes the mfa_at column alone of a live session.
UPDATE sessions SET mfa_at = sqlc.narg(mfa_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionCounter :execrows
-- SaveSessionCounter writes the counter column alone of a live session.
UPDATE sessions SET counter = sqlc.arg(counter)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionNotice :execrows
-- SaveSessionNotice writes the notice column alone of a live session.
UPDATE sessions SET notice = sqlc.arg(notice)
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

-- name: ListSessionsByUserID :many
-- ListSessionsByUserID lists the live sessions with this user_id, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE user_id = sqlc.arg(user_id) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
ORDER BY last_seen_at DESC, token_hash;

-- name: LockSessionsByUserID :many
-- LockSessionsByUserID returns the keys of every session with this user_id and locks them, and the index range, until the transaction ends: DeleteSessionsByUserID then deletes exactly these (MySQL has no DELETE ... RETURNING). Run both in one REPEATABLE READ transaction. FORCE INDEX: when one value holds much of the table the optimizer would scan it whole, locking every row it reads, a concurrent login's among them (deadlocks).
SELECT token_hash FROM sessions FORCE INDEX (sessions_user_id_idx)
WHERE user_id = sqlc.arg(user_id)
FOR UPDATE;

-- name: DeleteSessionsByUserID :execrows
-- DeleteSessionsByUserID deletes every session with this user_id, after LockSessionsByUserID in the same transaction, through the same index.
DELETE sessions FROM sessions FORCE INDEX (sessions_user_id_idx)
WHERE user_id = sqlc.arg(user_id);

-- name: LockOtherSessionsByUserID :many
-- LockOtherSessionsByUserID returns and locks the keys of every session with this user_id but the one with the given key (and the one renewed away from it), as LockSessionsByUserID does for DeleteOtherSessionsByUserID.
SELECT token_hash FROM sessions FORCE INDEX (sessions_user_id_idx)
WHERE user_id = sqlc.arg(user_id)
  AND (sqlc.narg(except_token_hash) IS NULL
       OR (token_hash <> sqlc.narg(except_token_hash)
           AND (previous_token_hash IS NULL OR previous_token_hash <> sqlc.narg(except_token_hash))))
FOR UPDATE;

-- name: DeleteOtherSessionsByUserID :execrows
-- DeleteOtherSessionsByUserID deletes every session with this user_id but the one with the given key (and the one renewed away from it), after LockOtherSessionsByUserID in the same transaction, through the same index.
DELETE sessions FROM sessions FORCE INDEX (sessions_user_id_idx)
WHERE user_id = sqlc.arg(user_id)
  AND (sqlc.narg(except_token_hash) IS NULL
       OR (token_hash <> sqlc.narg(except_token_hash)
           AND (previous_token_hash IS NULL OR previous_token_hash <> sqlc.narg(except_token_hash))));

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
-- MySQL 8.0.29+ and MariaDB 10.6+: times are BIGINT microseconds since the Unix epoch (UTC) and the clock is the server's, read once per statement.
-- Without RETURNING, Save and Touch run in a transaction with GetSessionMeta, and the deletes by an indexed column with their Lock query.
