"""Chain access: artifacts, deployment, typed bindings and decoded contract errors."""
