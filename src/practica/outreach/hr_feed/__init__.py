"""The HR feed: importing the company's people from a CSV file, for companies without SCIM.

- `reading` — the CSV (UTF-8 with or without BOM, `,` or `;` sniffed, a header row).
- `mapping` — which column holds which field, suggested from the header names; the options
  (full snapshot: people missing from the file have left; the order of day and month).
- `values` — one cell: dates in the accepted formats, emails, time zones, countries, status.
- `org_units`, `managers` — what the org unit and manager cells refer to; new units; loops.
- `planning` — the `Plan`: each row a joiner, returner, leaver, transfer, update, unchanged
  or refused, with its field changes and row-level messages (`plan`).
- `applying` — writing a plan through the lifecycle services, managers before their reports.
- `report` — reading a stored preview or report.

The services (`practica.outreach.services.hr_imports`) store the import, preview it and apply
it in one transaction; `practica import-hr FILE` and the web upload call them.
"""
