"""Spreadsheets in and out: reading CSV/XLSX safely, rosters, and streaming exports.

Pure where it can be (`reading`, `cells`, `roster`); the database parts (`roster_import`,
`export`) follow the storage rules: keyword-only, scoped by organization_id, never commit.
"""
