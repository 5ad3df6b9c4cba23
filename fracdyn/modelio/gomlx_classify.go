package modelio

// classifyGoMLX sets t's kind from its GoMLX scope and shape.
func classifyGoMLX(t *TensorInfo) { Classify(t) }

func (r *gomlxReader) readFloat32(name string) ([]float32, error) { return r.readStored(name) }
