"""Layout: HTML → PDF with WeasyPrint, the safe fetcher, page furniture, split-and-join."""
