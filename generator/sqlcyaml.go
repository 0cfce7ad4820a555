package generator

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// sqlcDoc is a sqlc.yaml kept as text, with the line span of each item of
// its `sql` list, so that sessiongen's entry can be added, replaced or
// removed while every other byte of the file, the user's comments and
// indentation included, stays as it was.
type sqlcDoc struct {
	lines  []string // the file's lines, each with its line ending
	root   *yaml.Node
	key    *yaml.Node // the `sql` key, nil if there is none
	list   *yaml.Node // its value
	spans  [][2]int   // per list item: its lines [start, end)
	indent string     // the indentation of the items' dashes
}

// parseSQLCDoc parses a version 2 sqlc.yaml.
func parseSQLCDoc(data []byte) (*sqlcDoc, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parsing sqlc.yaml: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("sqlc.yaml: want a mapping at the top level")
	}
	d := &sqlcDoc{root: doc.Content[0], indent: "  "}
	if v := mapValue(d.root, "version"); v == nil || v.Value != "2" {
		return nil, fmt.Errorf("sqlc.yaml: only version \"2\" configurations are supported; convert it with `sqlc` docs' version 2 format")
	}
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if l != "" {
			d.lines = append(d.lines, l)
		}
	}
	if n := len(d.lines); n > 0 && !strings.HasSuffix(d.lines[n-1], "\n") {
		d.lines[n-1] += "\n"
	}
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		if d.root.Content[i].Value == "sql" {
			d.key, d.list = d.root.Content[i], d.root.Content[i+1]
		}
	}
	if d.list == nil {
		return d, nil
	}
	if d.list.Kind == yaml.ScalarNode && d.list.Tag == "!!null" {
		d.list = &yaml.Node{Kind: yaml.SequenceNode} // `sql:` with no items
	}
	if d.list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("sqlc.yaml: sql must be a list")
	}
	if d.list.Style&yaml.FlowStyle != 0 && len(d.list.Content) > 0 {
		return nil, fmt.Errorf("sqlc.yaml: write the sql list in block style (one `- name: ...` item per entry) so that sessiongen can edit its own entry and keep yours as written")
	}
	for i, item := range d.list.Content {
		start := item.Line - 1
		if i == 0 {
			d.indent = d.lines[start][:strings.Index(d.lines[start], "-")]
		}
		end := len(d.lines)
		if i+1 < len(d.list.Content) {
			end = d.list.Content[i+1].Line - 1
		} else {
			// The last item runs while lines are indented past its dash.
			dash := strings.Index(d.lines[start], "-")
			end = start + 1
			for end < len(d.lines) && (blankOrComment(d.lines[end]) || indentOf(d.lines[end]) > dash) {
				end++
			}
		}
		// Blank and comment lines at its end belong to what follows.
		for end > start+1 && blankOrComment(d.lines[end-1]) {
			end--
		}
		d.spans = append(d.spans, [2]int{start, end})
	}
	return d, nil
}

// blankOrComment reports whether a YAML line holds nothing but a comment.
func blankOrComment(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}

// indentOf is the number of leading spaces of a line.
func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// itemText renders a mapping rendered at column 0 as an item of the list,
// with the list's indentation.
func (d *sqlcDoc) itemText(entry []byte) []string {
	var out []string
	for i, l := range strings.SplitAfter(strings.TrimRight(string(entry), "\n")+"\n", "\n") {
		switch {
		case l == "":
		case i == 0:
			out = append(out, d.indent+"- "+l)
		case strings.TrimSpace(l) == "":
			out = append(out, "\n")
		default:
			out = append(out, d.indent+"  "+l)
		}
	}
	return out
}

// bytes returns the document's text.
func (d *sqlcDoc) bytes() []byte { return []byte(strings.Join(d.lines, "")) }

// splice replaces lines [start, end) by repl.
func (d *sqlcDoc) splice(start, end int, repl []string) {
	d.lines = append(d.lines[:start], append(repl, d.lines[end:]...)...)
}

// mergeSQLCConfig returns the sqlc.yaml content with our entry added or
// replaced. Every other byte of the file stays as the user wrote it; when
// our entry is already there as wanted, the original bytes are returned.
func mergeSQLCConfig(existing []byte, e sqlcEntry) ([]byte, error) {
	if e.Engine == "" {
		e.Engine = EnginePostgreSQL
	}
	raw, err := renderTemplate("sqlc_"+e.Engine+".yaml.tmpl", e)
	if err != nil {
		return nil, err
	}
	var entry yaml.Node
	if err := yaml.Unmarshal(raw, &entry); err != nil {
		return nil, fmt.Errorf("parsing rendered sqlc entry: %w", err)
	}
	want := entry.Content[0]
	if len(bytes.TrimSpace(existing)) == 0 {
		existing = []byte("version: \"2\"\nsql: []\n")
	}
	d, err := parseSQLCDoc(existing)
	if err != nil {
		return nil, err
	}
	item := d.itemText(raw)
	if d.list == nil {
		d.lines = append(d.lines, "sql:\n")
		d.lines = append(d.lines, item...)
		return d.bytes(), nil
	}
	for i, it := range d.list.Content {
		q := mapValue(it, "queries")
		if q == nil || q.Value != e.Queries {
			continue
		}
		if sameYAML(it, want) {
			return existing, nil
		}
		d.splice(d.spans[i][0], d.spans[i][1], item)
		return d.bytes(), nil
	}
	if len(d.spans) == 0 {
		// `sql:` or `sql: []`: the list starts on the next line.
		k := d.key.Line - 1
		d.splice(k, k+1, append([]string{d.lines[k][:d.key.Column-1] + "sql:\n"}, item...))
		return d.bytes(), nil
	}
	last := d.spans[len(d.spans)-1][1]
	d.splice(last, last, item)
	return d.bytes(), nil
}

// removeSQLCEntries returns config without the entries that compile the
// query files queries (paths relative to the sqlc.yaml directory); every
// other byte is kept, and the bytes are unchanged when there are none.
func removeSQLCEntries(config []byte, queries []string) ([]byte, error) {
	if len(queries) == 0 || len(bytes.TrimSpace(config)) == 0 {
		return config, nil
	}
	d, err := parseSQLCDoc(config)
	if err != nil {
		return nil, err
	}
	removed := false
	for i := len(d.spans) - 1; i >= 0; i-- {
		q := mapValue(d.list.Content[i], "queries")
		if q != nil && slices.Contains(queries, path.Clean(q.Value)) {
			d.splice(d.spans[i][0], d.spans[i][1], nil)
			removed = true
		}
	}
	if !removed {
		return config, nil
	}
	return d.bytes(), nil
}
