"""The implementation schedule (Work Plan item 6.3): its workbook, checks and loading."""
