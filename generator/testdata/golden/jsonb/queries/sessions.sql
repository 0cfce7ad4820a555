-- name: GetSession :one
-- GetSession reads the live session with this key, with the database clock and whether a touch is due.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, roles, scores, prefs, cart, groups, grid, deep, byes
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: GetSessionForUpdate :one
-- GetSessionForUpdate is GetSession with the row locked until the transaction ends.
SELECT now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, roles, scores, prefs, cart, groups, grid, deep, byes
FROM sessions
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
FOR UPDATE;

-- name: GetAnySession :one
-- GetAnySession reads the most recently used live session among several keys.
SELECT token_hash, now()::timestamptz AS db_now, (last_seen_at <= now() - sqlc.arg(touch_us)::bigint * interval '1 microsecond') AS touch_due, created_at, last_seen_at, expires_at, absolute_expires_at, remember, roles, scores, prefs, cart, groups, grid, deep, byes
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
INSERT INTO sessions (token_hash, remember, absolute_expires_at, expires_at, roles, scores, prefs, cart, groups, grid, deep, byes)
VALUES (sqlc.arg(token_hash), sqlc.arg(remember), now() + sqlc.arg(absolute_us)::bigint * interval '1 microsecond', now() + LEAST(sqlc.arg(absolute_us)::bigint, sqlc.arg(idle_us)::bigint) * interval '1 microsecond', sqlc.arg(roles), sqlc.arg(scores), sqlc.arg(prefs), sqlc.arg(cart), sqlc.arg(groups), sqlc.arg(grid), sqlc.arg(deep), sqlc.arg(byes));

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
    roles = CASE WHEN sqlc.arg(set_roles)::boolean THEN sqlc.arg(roles)::jsonb ELSE roles END,
    scores = CASE WHEN sqlc.arg(set_scores)::boolean THEN sqlc.arg(scores)::jsonb ELSE scores END,
    prefs = CASE WHEN sqlc.arg(set_prefs)::boolean THEN sqlc.arg(prefs)::jsonb ELSE prefs END,
    cart = CASE WHEN sqlc.arg(set_cart)::boolean THEN sqlc.arg(cart)::jsonb ELSE cart END,
    groups = CASE WHEN sqlc.arg(set_groups)::boolean THEN sqlc.arg(groups)::jsonb ELSE groups END,
    grid = CASE WHEN sqlc.arg(set_grid)::boolean THEN sqlc.arg(grid)::jsonb ELSE grid END,
    deep = CASE WHEN sqlc.arg(set_deep)::boolean THEN sqlc.arg(deep)::jsonb ELSE deep END,
    byes = CASE WHEN sqlc.arg(set_byes)::boolean THEN sqlc.arg(byes)::jsonb ELSE byes END
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now()
RETURNING created_at, last_seen_at, expires_at, absolute_expires_at, remember;

-- name: SaveSessionRoles :execrows
-- SaveSessionRoles writes the roles column alone of a live session.
UPDATE sessions SET roles = sqlc.arg(roles)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionScores :execrows
-- SaveSessionScores writes the scores column alone of a live session.
UPDATE sessions SET scores = sqlc.arg(scores)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionPrefs :execrows
-- SaveSessionPrefs writes the prefs column alone of a live session.
UPDATE sessions SET prefs = sqlc.arg(prefs)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionCart :execrows
-- SaveSessionCart writes the cart column alone of a live session.
UPDATE sessions SET cart = sqlc.arg(cart)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionGroups :execrows
-- SaveSessionGroups writes the groups column alone of a live session.
UPDATE sessions SET groups = sqlc.arg(groups)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionGrid :execrows
-- SaveSessionGrid writes the grid column alone of a live session.
UPDATE sessions SET grid = sqlc.arg(grid)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionDeep :execrows
-- SaveSessionDeep writes the deep column alone of a live session.
UPDATE sessions SET deep = sqlc.arg(deep)
WHERE token_hash = sqlc.arg(token_hash) AND expires_at > now();

-- name: SaveSessionByes :execrows
-- SaveSessionByes writes the byes column alone of a live session.
UPDATE sessions SET byes = sqlc.arg(byes)
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
