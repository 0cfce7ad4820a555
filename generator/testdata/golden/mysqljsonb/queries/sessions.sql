-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, roles, scores, prefs, cart, user_groups, grid, deep, byes
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction it runs in ends (Update's).
SELECT CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, roles, scores, prefs, cart, user_groups, grid, deep, byes
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED)
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) AS db_now, (last_seen_at <= CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) - CAST(sqlc.arg(touch_us) AS SIGNED)) AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember, roles, scores, prefs, cart, user_groups, grid, deep, byes
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, roles, scores, prefs, cart, user_groups, grid, deep, byes)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS UNSIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED) + LEAST(CAST(sqlc.arg(absolute_us) AS SIGNED), CAST(sqlc.arg(idle_us) AS SIGNED)), sqlc.arg(roles), sqlc.arg(scores), sqlc.arg(prefs), sqlc.arg(cart), sqlc.arg(user_groups), sqlc.arg(grid), sqlc.arg(deep), sqlc.arg(byes));

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
    roles = CASE WHEN CAST(sqlc.arg(set_roles) AS UNSIGNED) THEN sqlc.arg(roles) ELSE roles END,
    scores = CASE WHEN CAST(sqlc.arg(set_scores) AS UNSIGNED) THEN sqlc.arg(scores) ELSE scores END,
    prefs = CASE WHEN CAST(sqlc.arg(set_prefs) AS UNSIGNED) THEN sqlc.arg(prefs) ELSE prefs END,
    cart = CASE WHEN CAST(sqlc.arg(set_cart) AS UNSIGNED) THEN sqlc.arg(cart) ELSE cart END,
    user_groups = CASE WHEN CAST(sqlc.arg(set_user_groups) AS UNSIGNED) THEN sqlc.arg(user_groups) ELSE user_groups END,
    grid = CASE WHEN CAST(sqlc.arg(set_grid) AS UNSIGNED) THEN sqlc.arg(grid) ELSE grid END,
    deep = CASE WHEN CAST(sqlc.arg(set_deep) AS UNSIGNED) THEN sqlc.arg(deep) ELSE deep END,
    byes = CASE WHEN CAST(sqlc.arg(set_byes) AS UNSIGNED) THEN sqlc.arg(byes) ELSE byes END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: GetSessionMeta :one
-- GetSessionMeta reads the lifecycle columns of the live session with this key: what SaveSession and TouchSession return where the engine has RETURNING. Run it in the transaction of the UPDATE, whose row lock keeps them as the UPDATE left them. No row means the UPDATE found none: MySQL's affected-rows count cannot tell, since it counts the rows an UPDATE changed, and writing the values a row already has changes none.
SELECT created_at, last_seen_at, expires_at, absolute_expires_at, (remember <> 0) AS remember
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.arg(roles)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionScores :execrows
-- SaveSessionScores writes the scores column alone of a live session.
UPDATE sessions SET scores = sqlc.arg(scores)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.arg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionGroups :execrows
-- SaveSessionGroups writes the user_groups column alone of a live session.
UPDATE sessions SET user_groups = sqlc.arg(user_groups)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionGrid :execrows
-- SaveSessionGrid writes the grid column alone of a live session.
UPDATE sessions SET grid = sqlc.arg(grid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionDeep :execrows
-- SaveSessionDeep writes the deep column alone of a live session.
UPDATE sessions SET deep = sqlc.arg(deep)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(UNIX_TIMESTAMP() * 1000000 + MICROSECOND(NOW(6)) AS SIGNED);

-- name: SaveSessionByes :execrows
-- SaveSessionByes writes the byes column alone of a live session.
UPDATE sessions SET byes = sqlc.arg(byes)
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
