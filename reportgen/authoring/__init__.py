"""Authoring: the files a council fills in (a starter project, the monthly commentary forms)
and what comes back from them (collected commentary, stale answers)."""
