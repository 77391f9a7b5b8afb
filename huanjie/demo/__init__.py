"""The demo county and the facts its villages record (also the engine's test scenario)."""
