"""Channel adapters: turn platform updates into engine events and replies into platform calls."""
