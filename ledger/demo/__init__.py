"""The demo: a deterministic epidemic-response scenario (`scenario`) written through the real
write service by the right staff members (`seed`)."""
