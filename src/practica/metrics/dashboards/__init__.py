"""The metrics screens: the community dashboard (+ its tables as CSV), the program comparison,
"my community this month" and the printable monthly report. Views validate and call queries;
what the pages show is assembled in the modules beside them (`panel_display`,
`program_comparison`, `month_summary`, `report`)."""
