package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// checkHooks checks every hook list (config.md "POSIX-platform Hooks"): path
// is REQUIRED and MUST be absolute; timeout, if set, MUST be greater than
// zero; args and env as for execv(3).
func checkHooks(h *specs.Hooks) error {
	if h == nil {
		return nil
	}
	lists := []struct {
		name  string
		hooks []specs.Hook
	}{
		{"prestart", h.Prestart},
		{"createRuntime", h.CreateRuntime},
		{"createContainer", h.CreateContainer},
		{"startContainer", h.StartContainer},
		{"poststart", h.Poststart},
		{"poststop", h.Poststop},
	}
	for _, l := range lists {
		for i, hook := range l.hooks {
			f := at("hooks."+l.name, i)
			if err := checkAbs(f+".path", hook.Path); err != nil {
				return err
			}
			if err := checkStrings(f+".args", hook.Args); err != nil {
				return err
			}
			if err := checkEnv(f+".env", hook.Env); err != nil {
				return err
			}
			if hook.Timeout != nil && *hook.Timeout <= 0 {
				return errorf(f+".timeout", "%d must be greater than 0", *hook.Timeout)
			}
		}
	}
	return nil
}
