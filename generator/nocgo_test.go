package generator

import (
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestGenerateWithoutCgo runs go generate in two fresh modules, one with
// CGO_ENABLED=0 and no C compiler (the PostgreSQL parser of the migration
// replay and of sqlc is then libpg_query in WebAssembly) and one with
// CGO_ENABLED=1 (pg_query_go's C build), and checks that both write the same
// bytes: first the create migration, then, after a field is added, the
// migration the replay of the first one calls for. The CGO_ENABLED=0 module
// then builds and vets with CGO_ENABLED=0, and a second CGO_ENABLED=0 run
// in -check mode finds nothing stale.
func TestGenerateWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds sessiongen twice in scratch modules")
	}
	const gen = "//go:generate go run github.com/sessiongen/sessiongen/cmd/sessiongen -type Payload -cache\n\n"
	v1 := strings.Replace(e2ePayload, "package app\n", "package app\n\n"+gen, 1)
	v2 := strings.Replace(v1, "\tIgnored    chan int", "\tAdded      int32\n\tIgnored    chan int", 1)
	if v2 == v1 {
		t.Fatal("e2ePayload changed: the added field was not inserted")
	}
	engines := []struct {
		name string
		env  []string
	}{
		// CC names no compiler: nothing may need one.
		{"CGO_ENABLED=0", []string{"CGO_ENABLED=0", "CC=/nonexistent/cc"}},
		{"CGO_ENABLED=1", []string{"CGO_ENABLED=1"}},
	}
	mods := make([]string, len(engines))
	for i := range engines {
		mods[i] = newModule(t, "example.com/nocgo", map[string]string{"app/payload.go": v1})
	}
	generate := func(step string) {
		t.Helper()
		for i, e := range engines {
			if out, err := goCmd(t, mods[i], e.env, "generate", "./app"); err != nil {
				t.Fatalf("%s: %s go generate: %v\n%s", step, e.name, err, out)
			}
		}
		a, b := snapshot(t, mods[0]), snapshot(t, mods[1])
		sameMigrationNames(t, a, b)
		if d := diffSnapshots(b, a); d != "" {
			t.Fatalf("%s: CGO_ENABLED=0 generated other bytes than CGO_ENABLED=1:\n%s", step, d)
		}
	}
	generate("create")
	created := countPrefix(snapshot(t, mods[0]), "schema/")
	for _, m := range mods {
		writeFile(t, filepath.Join(m, "app", "payload.go"), v2)
	}
	generate("added field")
	if n := countPrefix(snapshot(t, mods[0]), "schema/"); n != created+1 {
		t.Fatalf("%d migrations after adding a field, want %d", n, created+1)
	}

	nocgo := engines[0].env
	if out, err := goCmd(t, mods[0], nocgo, "run", "github.com/sessiongen/sessiongen/cmd/sessiongen", "-check", "-dir", "app", "-type", "Payload", "-cache"); err != nil {
		t.Fatalf("CGO_ENABLED=0 sessiongen -check after generating: %v\n%s", err, out)
	}
	if out, err := goCmd(t, mods[0], nocgo, "build", "./..."); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./... of the generated module: %v\n%s", err, out)
	}
	if out, err := goCmd(t, mods[0], nocgo, "vet", "./..."); err != nil {
		t.Fatalf("CGO_ENABLED=0 go vet ./... of the generated module: %v\n%s", err, out)
	}
}

// sameMigrationNames renames b's migrations to a's, in file names and in
// the files that name them: the two runs stamp migrations with the wall
// clock, so everything but the stamps is compared.
func sameMigrationNames(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	names := func(m map[string][]byte) []string {
		var ns []string
		for k := range m {
			if strings.HasPrefix(k, "schema/") {
				ns = append(ns, k)
			}
		}
		sort.Strings(ns)
		return ns
	}
	na, nb := names(a), names(b)
	if len(na) != len(nb) {
		t.Fatalf("migrations %v and %v", na, nb)
	}
	var pairs []string
	for i := range nb {
		pairs = append(pairs, path.Base(nb[i]), path.Base(na[i]))
		data := b[nb[i]]
		delete(b, nb[i])
		b[na[i]] = data
	}
	r := strings.NewReplacer(pairs...)
	for k, data := range b {
		b[k] = []byte(r.Replace(string(data)))
	}
}

// countPrefix counts the keys of m starting with prefix.
func countPrefix(m map[string][]byte, prefix string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}
