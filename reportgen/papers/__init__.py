"""Committee papers: the cover report and its appendices, built on the core.

The core never imports this package.
"""
