package main

import (
	"log"
	"net/http"
	"strconv"
)

// Every mode serves the same endpoints:
//
//	POST /login?uid=N  new session (login with renew), sets user id, email, roles
//	GET  /read         reads user id and email (401 when not logged in)
//	POST /write?v=X    reads the session, changes one field (theme)
//	POST /logout       destroys the session
//	GET  /none         never touches the session
//	POST /incr         increments the session's counter
//	POST /field?f=a|b  increments field a (counter) or field b (cart quantity)
//	GET  /state        reports counter and cart quantity, for the checks

func emailOf(uid int64) string { return "user" + strconv.FormatInt(uid, 10) + "@example.com" }

func writeBody(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}

func writeUser(w http.ResponseWriter, uid int64, email string) {
	b := make([]byte, 0, 64)
	b = append(b, `{"user_id":`...)
	b = strconv.AppendInt(b, uid, 10)
	b = append(b, `,"email":`...)
	b = strconv.AppendQuote(b, email)
	b = append(b, "}\n"...)
	writeBody(w, http.StatusOK, b)
}

func writeCounter(w http.ResponseWriter, n int64) {
	b := strconv.AppendInt([]byte(`{"counter":`), n, 10)
	writeBody(w, http.StatusOK, append(b, "}\n"...))
}

func writeState(w http.ResponseWriter, counter, qty int64) {
	b := strconv.AppendInt([]byte(`{"counter":`), counter, 10)
	b = append(b, `,"qty":`...)
	b = strconv.AppendInt(b, qty, 10)
	writeBody(w, http.StatusOK, append(b, "}\n"...))
}

func ok200(w http.ResponseWriter) { writeBody(w, http.StatusOK, []byte("{\"ok\":true}\n")) }

func none(w http.ResponseWriter, r *http.Request) { ok200(w) }

func unauthorized(w http.ResponseWriter) {
	writeBody(w, http.StatusUnauthorized, []byte("{\"error\":\"not logged in\"}\n"))
}

func fail(w http.ResponseWriter, err error) {
	log.Printf("handler error: %v", err)
	writeBody(w, http.StatusInternalServerError, []byte("{\"error\":\"internal\"}\n"))
}
