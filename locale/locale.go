// Package locale holds every user-facing sentence in Chinese and English, side
// by side, so that a reader can check one against the other. Chinese is the
// default; English is chosen with --lang en or the page's language switch.
package locale

import (
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strings"
)

// Lang is a language code: "zh" (default) or "en".
type Lang string

const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Parse reads a --lang value; anything but English is Chinese.
func Parse(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "zh", "zh-cn", "cn", "chinese", "中文":
		return ZH, nil
	case "en", "en-us", "en-gb", "english":
		return EN, nil
	}
	return ZH, fmt.Errorf("unknown language %q (use zh or en) / 未知语言 %q（请用 zh 或 en）", s, s)
}

// Text is one sentence in both languages, with fmt verbs: {Chinese, English}.
type Text [2]string

var catalog = map[string]Text{}

// Add registers sentences; each package that speaks to users adds its own in init.
// A key defined twice is a programming error.
func Add(texts map[string]Text) {
	pkg, file := caller(2)
	for k, v := range texts {
		if _, dup := catalog[k]; dup {
			panic("locale: key defined twice: " + k)
		}
		catalog[k] = v
		owners[k] = owner{pkg, file}
	}
}

// owner is where a key was registered: the Go package (as the runtime names
// it: "main" for a command) and the file of the locale.Add call.
type owner struct{ pkg, file string }

var owners = map[string]owner{}

// caller names the package and file of the function skip frames up.
func caller(skip int) (pkg, file string) {
	pc, file, _, ok := runtime.Caller(skip)
	if !ok {
		return "", ""
	}
	return funcPackage(runtime.FuncForPC(pc).Name()), file
}

// funcPackage is the package of a function named as the runtime names it
// ("sgz/registry.init.0" → "sgz/registry"; an external test package's
// "sgz/registry_test.TestMain" → "sgz/registry").
func funcPackage(fn string) string {
	slash := strings.LastIndex(fn, "/")
	if dot := strings.Index(fn[slash+1:], "."); dot >= 0 {
		fn = fn[:slash+1+dot]
	}
	return strings.TrimSuffix(fn, "_test")
}

// Keys lists every registered key (for tests).
func Keys() []string {
	keys := make([]string, 0, len(catalog))
	for k := range catalog {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Problems lists the registered sentences that a user could see broken: a
// language missing, or fmt verbs that differ between the two (which would
// print %!d(string=…) in one language). Every binary's tests call it.
func Problems() []string {
	var out []string
	for _, k := range Keys() {
		t := catalog[k]
		if strings.TrimSpace(t[0]) == "" || strings.TrimSpace(t[1]) == "" {
			out = append(out, k+": a language is missing")
			continue
		}
		// %q and %s take the same argument; Chinese quotes with “” instead.
		same := strings.NewReplacer("%q", "%s")
		zv, ev := verbRE.FindAllString(same.Replace(t[0]), -1), verbRE.FindAllString(same.Replace(t[1]), -1)
		if strings.Join(zv, " ") != strings.Join(ev, " ") {
			out = append(out, fmt.Sprintf("%s: verbs differ: zh %v en %v", k, zv, ev))
		}
	}
	return out
}

var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// Lookup returns the sentence registered for key.
func Lookup(key string) (Text, bool) { t, ok := catalog[key]; return t, ok }

// T formats the sentence key in lang. An unknown key shows itself, so a
// missing translation is visible rather than silent.
func T(lang Lang, key string, args ...any) string {
	produce(key)
	t, ok := catalog[key]
	if !ok {
		return key + fmt.Sprint(args...)
	}
	f := t[0]
	if lang == EN {
		f = t[1]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// Msg is a sentence not yet put into words: a key and its arguments.
// Validation issues carry a Msg so they can be shown in either language.
type Msg struct {
	Key  string
	Args []any
}

// M makes a Msg.
func M(key string, args ...any) Msg { produce(key); return Msg{Key: key, Args: args} }

// In puts the message into words in lang.
func (m Msg) In(lang Lang) string { return T(lang, m.Key, m.Args...) }

// Error is an error a user caused, in both languages.
type Error struct{ Msg }

func (e *Error) Error() string { return e.In(ZH) }

// Errorf makes a user error from a key.
func Errorf(key string, args ...any) *Error { return &Error{M(key, args...)} }

// Say renders err in lang when it is a user error, else its plain text.
func Say(lang Lang, err error) string {
	var ue *Error
	if asError(err, &ue) {
		return ue.In(lang)
	}
	return err.Error()
}
