"""Programs run here: pre-started worker processes with limits, never the web process."""
