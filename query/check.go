package query

import (
	"encoding/json"
	"strings"

	"sgz/locale"
)

// allowedTableFunctions read no file, no network and no internal table.
var allowedTableFunctions = map[string]bool{
	"range": true, "generate_series": true, "unnest": true,
	"json_each": true, "json_tree": true,
	// the catalog (names and types, no data)
	"duckdb_views": true, "duckdb_columns": true, "duckdb_functions": true,
	"duckdb_types": true, "duckdb_keywords": true, "pragma_table_info": true,
}

// deniedFunctions change state or run SQL given as a string (which would get
// around the check of the tables).
var deniedFunctions = map[string]bool{
	"nextval": true, "currval": true, "setseed": true,
	"query": true, "query_table": true,
	"checkpoint": true, "force_checkpoint": true,
	"getvariable": true, "current_setting": true,
}

// policy is what a query may reference.
type policy struct {
	views     map[string]bool // the v_* views, lower case
	relations map[string]bool // every table and view name in the instance, lower case
	database  string          // the default database's name
}

// serialized is json_serialize_sql's answer.
type serialized struct {
	Error        bool              `json:"error"`
	ErrorType    string            `json:"error_type"`
	ErrorMessage string            `json:"error_message"`
	Statements   []json.RawMessage `json:"statements"`
}

// checkAST inspects the parse tree DuckDB gives for sql. It returns a user
// error for anything but one SELECT over the allowed relations and functions.
func (p *policy) checkAST(raw string) error {
	var s serialized
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return &Error{Code: "internal", Msg: locale.M("query.unanalysed", err.Error())}
	}
	if s.Error {
		if strings.Contains(s.ErrorMessage, "Only SELECT") {
			return &Error{Code: "not_select", Msg: locale.M("query.notselect", "")}
		}
		return &Error{Code: "sql", Msg: locale.M("query.sql", s.ErrorMessage)}
	}
	if len(s.Statements) == 0 {
		return &Error{Code: "empty", Msg: locale.M("query.empty")}
	}
	if len(s.Statements) > 1 {
		return &Error{Code: "multiple", Msg: locale.M("query.multiple", len(s.Statements))}
	}
	var tree any
	if err := json.Unmarshal(s.Statements[0], &tree); err != nil {
		return &Error{Code: "internal", Msg: locale.M("query.unanalysed", err.Error())}
	}
	ctes := map[string]bool{}
	collectCTEs(tree, ctes)
	return p.walk(tree, ctes)
}

// collectCTEs gathers every WITH name anywhere in the tree.
func collectCTEs(n any, out map[string]bool) {
	switch v := n.(type) {
	case map[string]any:
		if cm, ok := v["cte_map"].(map[string]any); ok {
			if list, ok := cm["map"].([]any); ok {
				for _, e := range list {
					if m, ok := e.(map[string]any); ok {
						if k, ok := m["key"].(string); ok {
							out[strings.ToLower(k)] = true
						}
					}
				}
			}
		}
		for _, c := range v {
			collectCTEs(c, out)
		}
	case []any:
		for _, c := range v {
			collectCTEs(c, out)
		}
	}
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// walk visits every node: table references, table functions and functions
// wherever they appear (FROM, joins, subqueries in any expression, CTEs,
// SHOW/SUMMARIZE).
func (p *policy) walk(n any, ctes map[string]bool) error {
	switch v := n.(type) {
	case map[string]any:
		switch str(v, "type") {
		case "BASE_TABLE":
			if err := p.checkTable(v, ctes); err != nil {
				return err
			}
		case "TABLE_FUNCTION":
			fn, _ := v["function"].(map[string]any)
			name := strings.ToLower(str(fn, "function_name"))
			if !allowedTableFunctions[name] {
				return &Error{Code: "forbidden_function", Msg: locale.M("query.tablefunc", name)}
			}
		case "SHOW_REF":
			if str(v, "show_type") == "SUMMARY" && v["query"] == nil {
				return &Error{Code: "forbidden_table", Msg: locale.M("query.table", str(v, "table_name"))}
			}
		}
		if str(v, "class") == "FUNCTION" {
			name := strings.ToLower(str(v, "function_name"))
			if deniedFunctions[name] {
				return &Error{Code: "forbidden_function", Msg: locale.M("query.function", name)}
			}
		}
		for _, c := range v {
			if err := p.walk(c, ctes); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range v {
			if err := p.walk(c, ctes); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *policy) checkTable(v map[string]any, ctes map[string]bool) error {
	name := strings.ToLower(str(v, "table_name"))
	schema := strings.ToLower(str(v, "schema_name"))
	catalog := strings.ToLower(str(v, "catalog_name"))
	full := name
	if schema != "" {
		full = schema + "." + full
	}
	if catalog != "" {
		full = catalog + "." + full
	}
	if catalog != "" && catalog != strings.ToLower(p.database) {
		return &Error{Code: "forbidden_table", Msg: locale.M("query.table", full)}
	}
	if schema != "" && schema != "main" {
		// "db.v_x" parses as schema "db": allow the database's name there.
		if !(catalog == "" && schema == strings.ToLower(p.database)) {
			return &Error{Code: "forbidden_table", Msg: locale.M("query.table", full)}
		}
	}
	if p.views[name] {
		return nil
	}
	if schema == "" && catalog == "" && ctes[name] {
		if p.relations[name] {
			return &Error{Code: "forbidden_table", Msg: locale.M("query.cteshadow", name)}
		}
		return nil
	}
	return &Error{Code: "forbidden_table", Msg: locale.M("query.table", full)}
}
