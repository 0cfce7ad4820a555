package app

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// DemoPassword is the password of both demo users.
const DemoPassword = "wonderland"

// user is a demo account. Passwords are kept only as bcrypt hashes.
type user struct {
	ID    int64
	Email string
	Roles []string
	hash  []byte
}

// users is the demo user directory.
type users struct {
	byEmail map[string]user
	dummy   []byte // compared against for unknown emails, so timing does not reveal them
}

// newUsers hashes the demo password for alice and bob. cost is the bcrypt
// cost; tests and benchmarks pass bcrypt.MinCost.
func newUsers(cost int) (*users, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), cost)
	if err != nil {
		return nil, fmt.Errorf("hashing demo password: %w", err)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("not-a-password"), cost)
	if err != nil {
		return nil, fmt.Errorf("hashing dummy password: %w", err)
	}
	return &users{
		byEmail: map[string]user{
			"alice@example.com": {ID: 1, Email: "alice@example.com", Roles: []string{"admin", "user"}, hash: hash},
			"bob@example.com":   {ID: 2, Email: "bob@example.com", Roles: []string{"user"}, hash: hash},
		},
		dummy: dummy,
	}, nil
}

// authenticate returns the user whose email and password match.
func (u *users) authenticate(email, password string) (user, bool) {
	usr, ok := u.byEmail[email]
	hash := u.dummy
	if ok {
		hash = usr.hash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !ok {
		return user{}, false
	}
	return usr, true
}
