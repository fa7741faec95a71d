"""Crosswalks between plans: which measures of a later plan continue which measures of an earlier one."""
