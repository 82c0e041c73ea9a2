package query

import (
	"context"
	"fmt"
	"strings"

	"sgz/store"
)

// View is one of the analysts' views with its columns, as the database
// describes them (COMMENT ON VIEW / COLUMN in 003_views.sql).
type View struct {
	Name    string       `json:"name"`
	Comment string       `json:"comment"`
	Columns []ViewColumn `json:"columns"`
}

// ViewColumn is a column of a view.
type ViewColumn struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Comment string `json:"comment"`
}

// Views lists the v_* views of db with their columns and comments, in name order.
func Views(ctx context.Context, db *store.DB) ([]View, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT v.view_name, coalesce(v.comment, ''), c.column_name, c.data_type, coalesce(c.comment, '')
		FROM duckdb_views() v
		JOIN duckdb_columns() c ON c.database_name = v.database_name AND c.schema_name = v.schema_name
		     AND c.table_name = v.view_name
		WHERE v.database_name = current_database() AND v.schema_name = 'main' AND starts_with(v.view_name, 'v_')
		ORDER BY v.view_name, c.column_index`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		var vn, vc string
		var col ViewColumn
		if err := rows.Scan(&vn, &vc, &col.Name, &col.Type, &col.Comment); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Name != vn {
			out = append(out, View{Name: vn, Comment: vc})
		}
		v := &out[len(out)-1]
		v.Columns = append(v.Columns, col)
	}
	return out, rows.Err()
}

// Views lists the views an analyst may query.
func (e *Engine) Views(ctx context.Context) ([]View, error) { return Views(ctx, e.db) }

// Markdown renders the views as the reference section of docs/views.md: a
// heading per view, its comment, and a table of its columns.
func Markdown(views []View) string {
	var b strings.Builder
	for _, v := range views {
		fmt.Fprintf(&b, "### %s\n\n%s\n\n| column | type | 说明 / meaning |\n| --- | --- | --- |\n", v.Name, v.Comment)
		for _, c := range v.Columns {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Name, c.Type, strings.ReplaceAll(c.Comment, "|", `\|`))
		}
		b.WriteString("\n")
	}
	return b.String()
}
