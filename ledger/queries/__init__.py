"""The typed read layer over the SQL mirror, shared by the CLI, the portal and the reports."""
