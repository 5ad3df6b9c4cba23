package weights

import (
	"fmt"
	"slices"
	"strings"
)

// Layer is one weight layer of a network, in forward order: the generic
// description the segment graph, α's activation maps and kernel edges work
// from. Its JSON is a run's config.json "layers" entry; Param and Layout
// are absent for fracdyn's own models.
type Layer struct {
	Name string `json:"name"` // "conv1", or a GoMLX scope "/model/conv_0"
	Kind Kind   `json:"kind"` // "dense", "conv", ...
	// Param is the stored tensor name of the weight; "" means Name+".weight"
	// (PyTorch's state-dict name, fracdyn's snapshots).
	Param string `json:"param,omitempty"`
	// Layout is how the stored weight is laid out; LayoutUnknown (absent
	// in JSON) means the canonical PyTorch layout, the one fracdyn's own
	// snapshots have always had.
	Layout      Layout `json:"layout,omitempty"`
	WeightShape []int  `json:"weight_shape"` // CANONICAL shape: conv [out,in,kh,kw]; dense [out,in]
	BiasShape   []int  `json:"bias_shape"`   // [out], or empty for a layer without bias
	OutShape    []int  `json:"out_shape"`    // per-example output: conv [C,H,W]; dense [N]; empty when unknown
	Prev        int    `json:"prev"`         // index of the layer feeding this one, -1 for the first
}

// WeightName returns the stored name of the layer's weight: Param, or
// Name+".weight".
func (l Layer) WeightName() string {
	if l.Param != "" {
		return l.Param
	}
	return l.Name + ".weight"
}

// StoredLayout returns the layout of the stored weight: Layout, or the
// canonical layout of WeightShape's rank when Layout is LayoutUnknown.
func (l Layer) StoredLayout() Layout {
	if l.Layout != LayoutUnknown {
		return l.Layout
	}
	return CanonicalLayout(len(l.WeightShape))
}

// StoredShape returns the shape of the stored weight: WeightShape permuted
// back to the stored layout.
func (l Layer) StoredShape() []int {
	sl := l.StoredLayout()
	if sl.Rank() != len(l.WeightShape) {
		return slices.Clone(l.WeightShape)
	}
	out := make([]int, len(l.WeightShape))
	for i, p := range layoutPerm[sl] {
		out[p] = l.WeightShape[i]
	}
	return out
}

// View returns how the layer's weight is read as matrices.
func (l Layer) View(cv ConvView) (View, error) {
	v, err := ViewOf(l.Kind, l.WeightShape, cv)
	if err != nil {
		return View{}, fmt.Errorf("layer %q: %w", l.Name, err)
	}
	return v, nil
}

// Canonical returns the layer's stored weight w in canonical order (dst
// reused when large enough; w itself when already canonical).
func (l Layer) Canonical(dst, w []float32) ([]float32, error) {
	sl := l.StoredLayout()
	if sl.Canonical() {
		if len(w) != prod(l.WeightShape) {
			return nil, fmt.Errorf("layer %q: weight has %d values, shape %v needs %d", l.Name, len(w), l.WeightShape, prod(l.WeightShape))
		}
		return w, nil
	}
	out, _, err := Canonicalize(dst, w, l.StoredShape(), sl)
	if err != nil {
		return nil, fmt.Errorf("layer %q: %w", l.Name, err)
	}
	return out, nil
}

// CheckLayers checks what readers of a layer list rely on: unique
// non-empty names, a segmented kind whose canonical weight shape has the
// kind's rank and positive dimensions, a layout (when set) of that rank, a
// bias (when present) of shape [out], positive output dimensions, and Prev
// naming an earlier layer (or -1).
func CheckLayers(layers []Layer) error {
	seen := map[string]bool{}
	for i, l := range layers {
		if l.Name == "" || seen[l.Name] {
			return fmt.Errorf("layer %d: empty or repeated name %q", i, l.Name)
		}
		seen[l.Name] = true
		ok := l.Kind.Segmented() && len(l.WeightShape) == l.Kind.Rank() &&
			(len(l.BiasShape) == 0 || len(l.BiasShape) == 1 && l.BiasShape[0] == l.WeightShape[0])
		for _, d := range append(slices.Clone(l.WeightShape), l.OutShape...) {
			ok = ok && d > 0
		}
		if !ok {
			return fmt.Errorf("layer %q: kind %q with weight shape %v and bias shape %v is not a dense [out,in], conv [out,in,kh,kw], conv1d [out,in,k] or embedding layer",
				l.Name, l.Kind, l.WeightShape, l.BiasShape)
		}
		if l.Layout != LayoutUnknown && l.Layout.Rank() != len(l.WeightShape) {
			return fmt.Errorf("layer %q: layout %v does not fit weight shape %v", l.Name, l.Layout, l.WeightShape)
		}
		if l.Prev < -1 || l.Prev >= i {
			return fmt.Errorf("layer %q: prev %d is not an earlier layer", l.Name, l.Prev)
		}
	}
	return nil
}

func prod(dims []int) int {
	p := 1
	for _, d := range dims {
		p *= d
	}
	return p
}

// LayerName returns the layer a weight tensor belongs to: its name without
// the weight's own part (".weight", "/weights", "/kernel", ...), and without
// a trailing GoMLX "/conv" or "/dense" scope ("/model/conv_0/conv/weights"
// is layer "/model/conv_0").
func LayerName(tensor string) string {
	name := tensor
	for _, suf := range []string{".weight", "/weights", "/weight", ".kernel", "/kernel"} {
		if s, ok := strings.CutSuffix(name, suf); ok && s != "" {
			name = s
			break
		}
	}
	for _, suf := range []string{"/conv", "/dense"} {
		if s, ok := strings.CutSuffix(name, suf); ok && s != "" {
			return s
		}
	}
	return name
}

// LayersOf derives a model's layers from its tensors when nothing else
// describes them: one Layer per dense, conv or conv1d weight, in the
// tensors' order, named by LayerName, with the bias stored beside it
// (".bias", "/biases", "/bias" of the same prefix) when there is one, Prev
// the layer before it and OutShape empty (unknown). Where two weights
// would get the same layer name, the later one is named by its tensor. A segmented weight
// whose layout is unknown is an error naming it and --layout.
func LayersOf(ts []Tensor) ([]Layer, error) {
	byName := map[string]*Tensor{}
	for i := range ts {
		byName[ts[i].Name] = &ts[i]
	}
	var out []Layer
	used := map[string]bool{}
	for i := range ts {
		t := &ts[i]
		if t.Kind != Dense && t.Kind != Conv && t.Kind != Conv1D {
			continue
		}
		shape, err := t.CanonicalShape()
		if err != nil {
			return nil, err
		}
		name := LayerName(t.Name)
		if used[name] {
			name = t.Name // two weights in one scope: name each by its tensor
		}
		used[name] = true
		l := Layer{Name: name, Kind: t.Kind, Param: t.Name, Layout: t.Layout, WeightShape: shape, Prev: len(out) - 1}
		stem := strings.TrimSuffix(t.Name, lastPartRaw(t.Name))
		for _, b := range []string{"bias", "biases"} {
			if bt, ok := byName[stem+b]; ok && len(bt.Shape) == 1 && bt.Shape[0] == shape[0] {
				l.BiasShape = slices.Clone(bt.Shape)
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// lastPartRaw returns the name after its last '/' or '.', case kept.
func lastPartRaw(name string) string {
	if i := strings.LastIndexAny(name, "/."); i >= 0 {
		return name[i+1:]
	}
	return name
}
