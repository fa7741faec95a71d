"""Pure builders: a data frame in, a component or figure out."""
