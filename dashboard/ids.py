"""Component ids, declared once so layouts, callbacks and tests agree."""

CATALOGUE_TABLE = "catalogue-table"
CATALOGUE_SEARCH = "catalogue-search"
NAVBAR = "navbar"

# Signing in, upload, export and the submissions log
SIGNED_IN_USER = "signed-in-user"
