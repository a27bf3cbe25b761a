"""Configuration: report.toml (and the sections extensions register) → checked settings."""
