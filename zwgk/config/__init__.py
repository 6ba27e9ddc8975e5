"""Configuration files: the registry of portals and units, and YAML loading with line numbers."""
