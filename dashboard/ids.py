"""Component ids, declared once so layouts, callbacks and tests agree."""

CATALOGUE_TABLE = "catalogue-table"
CATALOGUE_SEARCH = "catalogue-search"
NAVBAR = "navbar"
