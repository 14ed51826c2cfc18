"""One module per page group; each route is thin: read through ledger.queries, render."""
