"""Build helpers of the portal (run by hand or from the Makefile, never by the app)."""
