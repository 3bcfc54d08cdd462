package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// helpCommand replaces cobra's "help", which answers an unknown topic with
// "Unknown help topic [`x`]" and the whole usage, and exits 0. Here an
// unknown topic is a usage error (exit status 2) said as any unknown
// command is: one line, with cobra's suggestions as the end of the sentence.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  `Help prints the help of any command, as "polarlicense COMMAND --help" does.`,
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range parent.Commands() {
				if (sub.IsAvailableCommand() || sub.Name() == "help") && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name()+"\t"+sub.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == nil { // the first word names no command of root's
				return &usageError{msg: "unknown help topic " + quoteArgs(args) + didYouMean(root.SuggestionsFor(args[0])), at: root}
			}
			if len(rest) > 0 {
				return &usageError{msg: "unknown help topic " + quoteArgs(args) + didYouMean(cmd.SuggestionsFor(rest[0])), at: cmd}
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// quoteArgs writes a command line's words as one quoted string.
func quoteArgs(args []string) string {
	return `"` + strings.Join(args, " ") + `"`
}

// strictCompletionCommand adds cobra's "completion" now, rather than when
// the command runs, and makes it a group command: a shell it does not know
// is a usage error said as an unknown command is (cobra would print its
// help and exit 0).
func strictCompletionCommand(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			g := groupCommand(c.Use, c.Short)
			c.Args, c.RunE, c.SuggestionsMinimumDistance = g.Args, g.RunE, g.SuggestionsMinimumDistance
		}
	}
}
