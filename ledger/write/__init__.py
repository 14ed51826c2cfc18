"""The one write service: staff actions become signed transactions; nothing writes SQL."""
