"""The pieces of the ``scaleapi`` command line; ``scaleapi.cli`` holds the entry point, ``main``.

``common`` has the exit statuses, output and argument checks every command shares, ``create`` the
``tasks create`` command (its file checks and journals), ``commands`` every other command.
"""
