//go:build !unix

package main

import "io/fs"

// newFileOwnerNote has nothing to say where files have no Unix owner.
func newFileOwnerNote(string, string, fs.FileInfo) string { return "" }
