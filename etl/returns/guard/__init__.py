"""Proving a return file harmless before anything parses it: the pre-parse guard, on its way to a module per format."""
