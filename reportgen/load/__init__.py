"""Loading: a project's files (CSV folder or data.xlsx) → a checked Dataset and Project."""
