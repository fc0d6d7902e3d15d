"""What a run leaves behind: the terminal table, report.html, the run directory and its files, notes for the user."""
