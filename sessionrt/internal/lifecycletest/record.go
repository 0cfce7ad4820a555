package lifecycletest

import "github.com/sessiongen/sessiongen/sessionrt/sessionimpl"

// Rec is a hand-written stand-in for a generated record: three payload
// fields (counter, name, user_id) and which of them changed.
type Rec struct {
	st                          *sessionimpl.State
	counter                     int64
	name                        string
	userID                      int64
	setCounter, setName, setUID bool
}

// NewRec returns an empty record bound to st: the backends' New.
func NewRec(st *sessionimpl.State) sessionimpl.Record { return &Rec{st: st} }

// Counter returns the counter field.
func (r *Rec) Counter() int64 { return r.counter }

// Name returns the name field.
func (r *Rec) Name() string { return r.name }

// UserID returns the user_id field.
func (r *Rec) UserID() int64 { return r.userID }

// SetCounter sets the counter field, locking the state as generated setters
// do.
func (r *Rec) SetCounter(v int64) {
	r.st.Lock()
	defer r.st.Unlock()
	r.counter, r.setCounter = v, true
	r.st.Changed("Counter")
}

// SetName sets the name field.
func (r *Rec) SetName(v string) {
	r.st.Lock()
	defer r.st.Unlock()
	r.name, r.setName = v, true
	r.st.Changed("Name")
}

// SetUserID sets the user_id field.
func (r *Rec) SetUserID(v int64) {
	r.st.Lock()
	defer r.st.Unlock()
	r.userID, r.setUID = v, true
	r.st.Changed("UserID")
}

// Changed reports whether a field was set since the last save.
func (r *Rec) Changed() bool { return r.setCounter || r.setName || r.setUID }

// Saved clears the change marks.
func (r *Rec) Saved() { r.setCounter, r.setName, r.setUID = false, false, false }

// Size is the length of the only variable-length field, name.
func (r *Rec) Size() int { return len(r.name) }

// Zero sets every field to its zero value, keeping the state.
func (r *Rec) Zero() { *r = Rec{st: r.st} }

// Absorb copies every field of src the receiver has not set.
func (r *Rec) Absorb(src sessionimpl.Record) {
	s := src.(*Rec)
	if !r.setCounter {
		r.counter = s.counter
	}
	if !r.setName {
		r.name = s.name
	}
	if !r.setUID {
		r.userID = s.userID
	}
}

// Merge copies every field src changed, with no change mark.
func (r *Rec) Merge(src sessionimpl.Record) {
	s := src.(*Rec)
	if s.setCounter {
		r.counter = s.counter
	}
	if s.setName {
		r.name = s.name
	}
	if s.setUID {
		r.userID = s.userID
	}
}

// Row is the payload of one stored session.
type Row struct {
	Name        string // the name column
	Counter, ID int64  // the counter and user_id columns
}

// row returns the payload r holds.
func (r *Rec) row() Row { return Row{r.name, r.counter, r.userID} }
