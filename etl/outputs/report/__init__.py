"""The progress report (Work Plan item 6.6): one content model, rendered as HTML and as Word."""
