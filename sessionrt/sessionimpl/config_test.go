package sessionimpl_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/sessionrt"
	"github.com/sessiongen/sessiongen/sessionrt/sessionimpl"
)

// TestConfigValidation checks that bad configurations fail with an error
// naming the problem.
func TestConfigValidation(t *testing.T) {
	cases := []struct {
		name string
		cfg  sessionrt.Config
		want string // substring of the error; "" for valid
	}{
		{"zero is valid", sessionrt.Config{}, ""},
		{"negative idle", sessionrt.Config{IdleTimeout: -time.Second}, "IdleTimeout must not be negative"},
		{"negative query timeout", sessionrt.Config{QueryTimeout: -1}, "QueryTimeout must not be negative"},
		{"lifetime below idle", sessionrt.Config{IdleTimeout: time.Hour, Lifetime: time.Minute}, "Lifetime (1m0s) must not be shorter than IdleTimeout"},
		{"remember lifetime below idle", sessionrt.Config{RememberIdleTimeout: 48 * time.Hour, RememberLifetime: time.Hour}, "RememberLifetime"},
		{"touch not below idle", sessionrt.Config{IdleTimeout: time.Minute, Lifetime: time.Hour, TouchInterval: time.Minute}, "TouchInterval"},
		{"bad cookie name", sessionrt.Config{CookieName: "a b"}, "not a valid cookie name"},
		{"prefixed cookie name", sessionrt.Config{CookieName: "__Host-s"}, "prefix"},
		{"bad path", sessionrt.Config{Path: "app"}, "Path"},
		{"none without secure", sessionrt.Config{Insecure: true, SameSite: http.SameSiteNoneMode}, "SameSite=None"},
		{"negative payload", sessionrt.Config{MaxPayloadBytes: -1}, "MaxPayloadBytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := sessionimpl.NewMemory(backend{}.New)
			_, err := sessionimpl.NewManager(mem, mem, c.cfg)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error = %v, want it to mention %q", err, c.want)
			}
		})
	}
	mem := sessionimpl.NewMemory(backend{}.New)
	if _, err := sessionimpl.NewManager(mem, nil, sessionrt.Config{}); err == nil {
		t.Fatal("nil backend accepted")
	}
	if _, err := sessionimpl.NewManager(nil, backend{}, sessionrt.Config{}); err == nil {
		t.Fatal("nil driver accepted")
	}
}
