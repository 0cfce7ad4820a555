-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock (whether a touch is due follows from it and last_seen_at).
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(roles AS TEXT) AS "roles", CAST(scores AS TEXT) AS "scores", CAST(prefs AS TEXT) AS "prefs", CAST(cart AS TEXT) AS "cart", CAST(groups AS TEXT) AS "groups", CAST(grid AS TEXT) AS "grid", CAST(deep AS TEXT) AS "deep", CAST(byes AS TEXT) AS "byes"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession: SQLite has no row locks, so run it in a transaction begun with BEGIN IMMEDIATE, which holds the database's write lock until it ends.
SELECT CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(roles AS TEXT) AS "roles", CAST(scores AS TEXT) AS "scores", CAST(prefs AS TEXT) AS "prefs", CAST(cart AS TEXT) AS "cart", CAST(groups AS TEXT) AS "groups", CAST(grid AS TEXT) AS "grid", CAST(deep AS TEXT) AS "deep", CAST(byes AS TEXT) AS "byes"
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) AS db_now, CAST(created_at AS INTEGER) AS "created_at", CAST(last_seen_at AS INTEGER) AS "last_seen_at", CAST(expires_at AS INTEGER) AS "expires_at", CAST(absolute_expires_at AS INTEGER) AS "absolute_expires_at", CAST(remember AS BOOLEAN) AS remember, CAST(roles AS TEXT) AS "roles", CAST(scores AS TEXT) AS "scores", CAST(prefs AS TEXT) AS "prefs", CAST(cart AS TEXT) AS "cart", CAST(groups AS TEXT) AS "groups", CAST(grid AS TEXT) AS "grid", CAST(deep AS TEXT) AS "deep", CAST(byes AS TEXT) AS "byes"
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, roles, scores, prefs, cart, groups, grid, deep, byes)
VALUES (sqlc.arg(token_hash), CAST(sqlc.arg(remember) AS BOOLEAN), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER) + MIN(CAST(sqlc.arg(absolute_us) AS INTEGER), CAST(sqlc.arg(idle_us) AS INTEGER)), sqlc.arg(roles), sqlc.arg(scores), sqlc.arg(prefs), sqlc.arg(cart), sqlc.arg(groups), sqlc.arg(grid), sqlc.arg(deep), sqlc.arg(byes));

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
    roles = CASE WHEN CAST(sqlc.arg(set_roles) AS BOOLEAN) THEN CAST(sqlc.arg(roles) AS TEXT) ELSE roles END,
    scores = CASE WHEN CAST(sqlc.arg(set_scores) AS BOOLEAN) THEN CAST(sqlc.arg(scores) AS TEXT) ELSE scores END,
    prefs = CASE WHEN CAST(sqlc.arg(set_prefs) AS BOOLEAN) THEN CAST(sqlc.arg(prefs) AS TEXT) ELSE prefs END,
    cart = CASE WHEN CAST(sqlc.arg(set_cart) AS BOOLEAN) THEN CAST(sqlc.arg(cart) AS TEXT) ELSE cart END,
    groups = CASE WHEN CAST(sqlc.arg(set_groups) AS BOOLEAN) THEN CAST(sqlc.arg(groups) AS TEXT) ELSE groups END,
    grid = CASE WHEN CAST(sqlc.arg(set_grid) AS BOOLEAN) THEN CAST(sqlc.arg(grid) AS TEXT) ELSE grid END,
    deep = CASE WHEN CAST(sqlc.arg(set_deep) AS BOOLEAN) THEN CAST(sqlc.arg(deep) AS TEXT) ELSE deep END,
    byes = CASE WHEN CAST(sqlc.arg(set_byes) AS BOOLEAN) THEN CAST(sqlc.arg(byes) AS TEXT) ELSE byes END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER)
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, CAST(remember AS BOOLEAN) AS remember;

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.arg(roles)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionScores :execrows
-- SaveSessionScores writes the scores column alone of a live session.
UPDATE sessions SET scores = sqlc.arg(scores)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.arg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionGroups :execrows
-- SaveSessionGroups writes the groups column alone of a live session.
UPDATE sessions SET groups = sqlc.arg(groups)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionGrid :execrows
-- SaveSessionGrid writes the grid column alone of a live session.
UPDATE sessions SET grid = sqlc.arg(grid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionDeep :execrows
-- SaveSessionDeep writes the deep column alone of a live session.
UPDATE sessions SET deep = sqlc.arg(deep)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > CAST(ROUND(unixepoch('subsec') * 1000) * 1000 AS INTEGER);

-- name: SaveSessionByes :execrows
-- SaveSessionByes writes the byes column alone of a live session.
UPDATE sessions SET byes = sqlc.arg(byes)
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
