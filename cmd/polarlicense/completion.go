package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Shell completion: "polarlicense completion bash|zsh|fish|powershell"
// prints a script (cobra's), listed in the help. Beyond commands and flag
// names, it completes the values of the enumeration flags.

// valueCompletions are the values completed for each flag of that name, on
// whichever command defines it.
var valueCompletions = map[string][]string{
	"engine":        knownEngines,
	"channel":       knownChannels,
	"package-type":  knownPackageTypes,
	"output":        knownFormats,
	"fail-on":       knownLevels,
	"endpoint-type": {"public", "vpc"},
}

// registerCompletions gives every flag named in valueCompletions, on root
// and every command below it, its values.
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		register := func(f *pflag.Flag) {
			if values, ok := valueCompletions[f.Name]; ok {
				// An error means the flag has a completion already: keep it.
				_ = c.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
			}
		}
		c.LocalNonPersistentFlags().VisitAll(register)
		c.PersistentFlags().VisitAll(register)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
