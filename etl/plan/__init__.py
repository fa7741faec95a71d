"""The plans: the catalogue parsed from a plan's text, the countries, the definitions and settings."""
