"""Proving a return file harmless before anything parses it, one module per format; check.check_file is the entry."""
