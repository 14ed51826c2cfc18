"""AidLedger portal: the server-rendered site and JSON API over the SQL mirror."""
