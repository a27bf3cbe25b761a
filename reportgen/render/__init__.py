"""Rendering: assessments and charts → the template context → HTML through Jinja."""
