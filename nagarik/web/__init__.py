"""The officers' web workspace: the complaint queue, complaints, publishing, the dashboard.

Served by Sanic (`nagarik web`, `make web`) over the same database and lifecycle code as the
command line (nagarik/db/); every page in en, hi and bn. See docs/web.md.
"""
