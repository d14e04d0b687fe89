// Package spec loads, validates and generates the OCI runtime configuration
// (config.json) of a bundle.
//
// Load parses config.json strictly enough to point at the offending line,
// column or field, then calls Validate. Validate checks everything that can be
// checked before any resource is created, so that create fails early with a
// one-line message naming the field ("config.json: <field>: <reason>") instead
// of half-way through building the container. Checks follow the OCI runtime
// specification v1.3.0 (config.md, config-linux.md, runtime.md); the section
// each rule comes from is cited next to it.
//
// linux.resources and linux.cgroupsPath are deliberately not checked here:
// the cgroups package owns them.
package spec
