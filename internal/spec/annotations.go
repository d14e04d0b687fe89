package spec

// checkAnnotations checks annotations (config.md "Annotations"): keys MUST
// NOT be empty. Values are free-form and unknown keys are ignored.
func checkAnnotations(a map[string]string) error {
	if _, ok := a[""]; ok {
		return errorf("annotations", "empty key")
	}
	return nil
}
