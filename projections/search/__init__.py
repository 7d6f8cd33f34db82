"""Free-text search of the lists (tenders, organisations, the care directory), the same on SQLite and PostgreSQL.

Each searched list has a view of its own here that folds the list's searchable text into words (`words.py`), and
the machinery they share (`index.py`) matches a query's words on each database's own full-text index and ranks the
matches in plain SQL, so that the same data and query give the same ordered ids on either database.
"""
