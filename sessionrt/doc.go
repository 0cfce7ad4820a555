// Package sessionrt is the hand-written runtime behind the code sessiongen
// generates for a session payload struct.
//
// The generated package is deliberately thin: typed accessors, the sqlc
// queries and a Backend that runs exactly one SQL statement per method. All
// of the security-relevant lifecycle lives here instead: token generation
// and parsing, cookie attributes and cache headers, lazy loading, commit
// timing, renewal against session fixation, expiry, destruction, atomic
// updates and reaping. A fix in any of these reaches users through
// "go get -u" of this module, without regenerating their code.
//
// A session token is 32 random bytes, sent base64url-encoded in the cookie;
// the database only ever sees its SHA-256 hash, so a leaked table does not
// leak usable tokens and lookups leak nothing through timing. A request that
// never touches its session makes no query; a read-only request makes one.
// Manager.Middleware commits changes right before the first byte of the
// response, so handlers stream without buffering.
package sessionrt
