"""The emulator's storage: the SQLite database and the stores the rules read and write through.

This is the only layer that imports ``sqlite3``.
"""
