// Package sessionrt is the runtime of the session layers sessiongen
// generates: their configuration, their errors and the values they report.
//
// Applications use the generated store (NewSessionStore, Load, Update,
// Destroy, RunReaper, ...) and this package; generated code also uses
// package sessionimpl, which is not for applications.
//
// A session token is 32 random bytes, base64url-encoded in the cookie; the
// database only sees its SHA-256 hash. A request that never touches its
// session makes no query, and changes are saved right before the first byte
// of the response.
package sessionrt
