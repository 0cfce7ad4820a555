package generator

import (
	"slices"
	"strings"
)

// The names the renderers define that a payload field, its column or an
// import could collide with. Each is defined here once: the model stage's
// collision checks (fields.go) read these lists, the renderers emit the
// names from them, and names_test.go ties every list to the generated
// output, so a renderer that declares a new name fails a test until the
// name is listed here.

// Methods of the generated handle besides the field accessors.
const (
	methodRenew      = "Renew"
	methodRememberMe = "RememberMe"
	methodErr        = "Err"
	methodIsNew      = "IsNew"
	methodMeta       = "Meta"
	methodReset      = "Reset"
)

// handleMethods are the exported methods of the generated handle besides
// the field accessors.
func handleMethods() []string {
	return []string{methodRenew, methodRememberMe, methodErr, methodIsNew, methodMeta, methodReset}
}

// Methods of the record type, the runtime's view of the handle's struct
// (sessionimpl.Record).
const (
	methodZero    = "Zero"
	methodChanged = "Changed"
	methodSaved   = "Saved"
	methodAbsorb  = "Absorb"
	methodMerge   = "Merge"
	methodSize    = "Size"
)

// recordMethods are the exported methods of the record type.
func recordMethods() []string {
	return []string{methodZero, methodChanged, methodSaved, methodAbsorb, methodMerge, methodSize}
}

// reservedMethod reports whether a field accessor may not be named name: a
// method of the handle. The record's methods are on a type of their own
// (sessionRecord), so a field may share their names.
func reservedMethod(name string) bool {
	return slices.Contains(handleMethods(), name)
}

// Field accessor names.
func getterName(goName string) string { return goName }
func setterName(goName string) string { return "Set" + goName }
func editName(goName string) string   { return "Edit" + goName }
func popName(goName string) string    { return "Pop" + goName }

// accessorNames are the handle methods field goName gets: the getter,
// Set, Edit (declared for composites only, reserved for every field) and,
// for a flash field, Pop.
func accessorNames(goName string, flash bool) []string {
	names := []string{getterName(goName), setterName(goName), editName(goName)}
	if flash {
		names = append(names, popName(goName))
	}
	return names
}

// reservedParams are the parameter and result column names the generated
// queries use besides the lifecycle and payload columns (and set_<column>).
func reservedParams() []string {
	return strings.Fields("new_token_hash renew touch idle_us absolute_us batch except_token_hash touch_us grace_us hashes touch_due db_now")
}

// generatedLocals are the identifiers the generated functions declare
// (receivers, parameters, locals); an imported package must not be named
// like one of them.
func generatedLocals() []string {
	return strings.Fields(`T a absolute b batch be bit c cfg created ctx db drv err every except expires field fn grace h hash
hashes i k key lastSeen limit lock lt m mem n newHash next o on out p r rec remember renew rl rows s sess src st touchAfter
us v w x`)
}
