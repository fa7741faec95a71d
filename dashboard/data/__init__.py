"""The dashboard's data layer, the only part of the dashboard that queries the warehouse: one module per page family."""
