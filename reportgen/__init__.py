"""reportgen: monthly improvement-board packs from KPI tables, as accessible PDFs."""

__version__ = "0.1.0"
