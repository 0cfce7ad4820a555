package dialect

import (
	"regexp"
	"strings"
)

var (
	upMarker   = regexp.MustCompile(`^--\s*migrate:up(\s|$)`)
	downMarker = regexp.MustCompile(`^--\s*migrate:down(\s|$)`)
)

// UpSections returns the up sections of a dbmate migration, each padded
// with newlines so that offsets into it fall on the file's own line
// numbers. Every dialect's Replay reads migrations through it.
func UpSections(data string) []string {
	lines := strings.SplitAfter(data, "\n")
	var sections []string
	var cur *strings.Builder
	for i, line := range lines {
		trimmed := strings.TrimRight(line, "\r\n")
		switch {
		case upMarker.MatchString(trimmed):
			if cur != nil {
				sections = append(sections, cur.String())
			}
			cur = &strings.Builder{}
			cur.WriteString(strings.Repeat("\n", i+1))
		case downMarker.MatchString(trimmed):
			if cur != nil {
				sections = append(sections, cur.String())
			}
			cur = nil
		case cur != nil:
			cur.WriteString(line)
		}
	}
	if cur != nil {
		sections = append(sections, cur.String())
	}
	return sections
}
