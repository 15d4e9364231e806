package ocr

// Test-only helper: the product picks colours for all captions at once
// (pickColours).

// fillColor is the best candidate's colour, "" without one.
func fillColor(crops []crop) string {
	if c := fillColors(crops); len(c) > 0 {
		return c[0].hex
	}
	return ""
}
