"""The APT Work Plan Monitor library: plans, returns, the schedule, the warehouse and its outputs, one folder each."""
