-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction it runs in ends (Update's).
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, user_id, tenant, name, admin, small, ratio, ratio32, login_at, logout, timeout, secret, cart, prefs, flash)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS UNSIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + LEAST(CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(sqlc.arg(idle_us) AS SIGNED)), sqlc.arg(user_id), sqlc.narg(tenant), sqlc.arg(name), sqlc.arg(admin), sqlc.arg(small), sqlc.arg(ratio), sqlc.arg(ratio32), sqlc.arg(login_at), sqlc.narg(logout), sqlc.arg(timeout), sqlc.arg(secret), sqlc.arg(cart), sqlc.arg(prefs), sqlc.arg(flash));

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
    tenant = CASE WHEN CAST(sqlc.arg(set_tenant) AS UNSIGNED) THEN sqlc.narg(tenant) ELSE tenant END,
    name = CASE WHEN CAST(sqlc.arg(set_name) AS UNSIGNED) THEN sqlc.arg(name) ELSE name END,
    admin = CASE WHEN CAST(sqlc.arg(set_admin) AS UNSIGNED) THEN sqlc.arg(admin) ELSE admin END,
    small = CASE WHEN CAST(sqlc.arg(set_small) AS UNSIGNED) THEN sqlc.arg(small) ELSE small END,
    ratio = CASE WHEN CAST(sqlc.arg(set_ratio) AS UNSIGNED) THEN sqlc.arg(ratio) ELSE ratio END,
    ratio32 = CASE WHEN CAST(sqlc.arg(set_ratio32) AS UNSIGNED) THEN sqlc.arg(ratio32) ELSE ratio32 END,
    login_at = CASE WHEN CAST(sqlc.arg(set_login_at) AS UNSIGNED) THEN sqlc.arg(login_at) ELSE login_at END,
    logout = CASE WHEN CAST(sqlc.arg(set_logout) AS UNSIGNED) THEN sqlc.narg(logout) ELSE logout END,
    timeout = CASE WHEN CAST(sqlc.arg(set_timeout) AS UNSIGNED) THEN sqlc.arg(timeout) ELSE timeout END,
    secret = CASE WHEN CAST(sqlc.arg(set_secret) AS UNSIGNED) THEN sqlc.arg(secret) ELSE secret END,
    cart = CASE WHEN CAST(sqlc.arg(set_cart) AS UNSIGNED) THEN sqlc.arg(cart) ELSE cart END,
    prefs = CASE WHEN CAST(sqlc.arg(set_prefs) AS UNSIGNED) THEN sqlc.arg(prefs) ELSE prefs END,
    flash = CASE WHEN CAST(sqlc.arg(set_flash) AS UNSIGNED) THEN sqlc.arg(flash) ELSE flash END
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

-- name: SaveSessionTenant :execrows
-- SaveSessionTenant writes the tenant column alone of a live session.
UPDATE sessions SET tenant = sqlc.narg(tenant)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionName :execrows
-- SaveSessionName writes the name column alone of a live session.
UPDATE sessions SET name = sqlc.arg(name)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionAdmin :execrows
-- SaveSessionAdmin writes the admin column alone of a live session.
UPDATE sessions SET admin = sqlc.arg(admin)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionSmall :execrows
-- SaveSessionSmall writes the small column alone of a live session.
UPDATE sessions SET small = sqlc.arg(small)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionRatio :execrows
-- SaveSessionRatio writes the ratio column alone of a live session.
UPDATE sessions SET ratio = sqlc.arg(ratio)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionRatio32 :execrows
-- SaveSessionRatio32 writes the ratio32 column alone of a live session.
UPDATE sessions SET ratio32 = sqlc.arg(ratio32)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionLoginAt :execrows
-- SaveSessionLoginAt writes the login_at column alone of a live session.
UPDATE sessions SET login_at = sqlc.arg(login_at)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionLogout :execrows
-- SaveSessionLogout writes the logout column alone of a live session.
UPDATE sessions SET logout = sqlc.narg(logout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionTimeout :execrows
-- SaveSessionTimeout writes the timeout column alone of a live session.
UPDATE sessions SET timeout = sqlc.arg(timeout)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionSecret :execrows
-- SaveSessionSecret writes the secret column alone of a live session.
UPDATE sessions SET secret = sqlc.arg(secret)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.arg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionFlash :execrows
-- SaveSessionFlash writes the flash column alone of a live session.
UPDATE sessions SET flash = sqlc.arg(flash)
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

-- name: ListSessionsByTenant :many
-- ListSessionsByTenant lists the live sessions with this tenant, most recently used first.
SELECT token_hash, created_at, last_seen_at, expires_at
FROM sessions
WHERE tenant = sqlc.arg(tenant) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
ORDER BY last_seen_at DESC, token_hash;

-- name: LockSessionsByTenant :many
-- LockSessionsByTenant returns the keys of every session with this tenant and locks them, and the index range, until the transaction ends: DeleteSessionsByTenant then deletes exactly these (MySQL has no DELETE ... RETURNING). Run both in one REPEATABLE READ transaction. FORCE INDEX: when one value holds much of the table the optimizer would scan it whole, locking every row it reads, a concurrent login's among them (deadlocks).
SELECT token_hash FROM sessions FORCE INDEX (sessions_tenant_idx)
WHERE tenant = sqlc.arg(tenant)
FOR UPDATE;

-- name: DeleteSessionsByTenant :execrows
-- DeleteSessionsByTenant deletes every session with this tenant, after LockSessionsByTenant in the same transaction, through the same index.
DELETE sessions FROM sessions FORCE INDEX (sessions_tenant_idx)
WHERE tenant = sqlc.arg(tenant);

-- name: LockOtherSessionsByTenant :many
-- LockOtherSessionsByTenant returns and locks the keys of every session with this tenant but the one with the given key (and the one renewed away from it), as LockSessionsByTenant does for DeleteOtherSessionsByTenant.
SELECT token_hash FROM sessions FORCE INDEX (sessions_tenant_idx)
WHERE tenant = sqlc.arg(tenant)
  AND (sqlc.narg(except_token_hash) IS NULL
       OR (token_hash <> sqlc.narg(except_token_hash)
           AND (previous_token_hash IS NULL OR previous_token_hash <> sqlc.narg(except_token_hash))))
FOR UPDATE;

-- name: DeleteOtherSessionsByTenant :execrows
-- DeleteOtherSessionsByTenant deletes every session with this tenant but the one with the given key (and the one renewed away from it), after LockOtherSessionsByTenant in the same transaction, through the same index.
DELETE sessions FROM sessions FORCE INDEX (sessions_tenant_idx)
WHERE tenant = sqlc.arg(tenant)
  AND (sqlc.narg(except_token_hash) IS NULL
       OR (token_hash <> sqlc.narg(except_token_hash)
           AND (previous_token_hash IS NULL OR previous_token_hash <> sqlc.narg(except_token_hash))));

-- Code generated by sessiongen. DO NOT EDIT.
-- (This header closes the file: sqlc would make comments above the first query its doc comment.)
-- Queries on the sessions table for the Session payload, compiled by sqlc.
-- Every lookup enforces expiry in SQL; no statement ever upserts.
-- MySQL 8.0.29+ and MariaDB 10.6+: times are BIGINT microseconds since the Unix epoch (UTC) and the clock is the server's, read once per statement.
-- Without RETURNING, Save and Touch run in a transaction with GetSessionMeta, and the deletes by an indexed column with their Lock query.
