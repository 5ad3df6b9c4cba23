package weights

import (
	"fmt"
	"strings"
)

// Override sets the layout of the tensors whose names match Glob.
type Override struct {
	Glob   string // '*' matches any run of characters ('/' and '.' included), '?' one character
	Layout string // a layout name or alias, resolved by ParseLayout for each tensor's rank
}

// Overrides are the layouts a user sets with --layout, applied after
// Classify; where several match a tensor, the last one wins.
type Overrides []Override

// ParseOverrides reads "glob=layout,glob=layout,..." as given to --layout
// ("" gives none). Each layout must be a name or alias ParseLayout knows.
func ParseOverrides(s string) (Overrides, error) {
	var o Overrides
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		glob, layout, ok := strings.Cut(item, "=")
		glob, layout = strings.TrimSpace(glob), strings.TrimSpace(layout)
		if !ok || glob == "" || layout == "" {
			return nil, fmt.Errorf("--layout %q: want NAME-GLOB=LAYOUT, got %q", s, item)
		}
		if _, err := ParseLayout(layout, 0); err != nil {
			if _, alias := layoutAliases[strings.ToLower(layout)]; !alias {
				return nil, fmt.Errorf("--layout %q: %w", s, err)
			}
		}
		o = append(o, Override{Glob: glob, Layout: layout})
	}
	return o, nil
}

// Apply sets t.Layout (and t.Why) from the last override whose glob matches
// t.Name, for segmented tensors only. It reports whether one applied; a
// layout that does not fit the tensor's rank is an error naming both.
func (o Overrides) Apply(t *Tensor) (bool, error) {
	if !t.Kind.Segmented() {
		return false, nil
	}
	for i := len(o) - 1; i >= 0; i-- {
		if !Match(o[i].Glob, t.Name) {
			continue
		}
		l, err := ParseLayout(o[i].Layout, len(t.Shape))
		if err != nil {
			return false, fmt.Errorf("--layout %s=%s on tensor %q (shape %v): %w", o[i].Glob, o[i].Layout, t.Name, t.Shape, err)
		}
		t.Layout = l
		t.Why = fmt.Sprintf("layout %v set by --layout %s=%s", l, o[i].Glob, o[i].Layout)
		return true, nil
	}
	return false, nil
}

// Match reports whether name matches glob, where '*' matches any run of
// characters ('/' and '.' included) and '?' any one character.
func Match(glob, name string) bool {
	// Iterative wildcard match with backtracking to the last '*'.
	g, n := []rune(glob), []rune(name)
	gi, ni, star, mark := 0, 0, -1, 0
	for ni < len(n) {
		switch {
		case gi < len(g) && (g[gi] == '?' || g[gi] == n[ni]):
			gi++
			ni++
		case gi < len(g) && g[gi] == '*':
			star, mark = gi, ni
			gi++
		case star >= 0:
			gi = star + 1
			mark++
			ni = mark
		default:
			return false
		}
	}
	for gi < len(g) && g[gi] == '*' {
		gi++
	}
	return gi == len(g)
}
