"""Charts: chart specs from the data, drawing (PNG and SVG), alt text, and their cache."""
