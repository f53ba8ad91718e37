"""Stand-alone scripts the bench runs in child processes, each by its file path.

They import only the standard library, ``requests`` and whichever ``scaleapi`` the child interpreter
has (ours, or the existing client in its throwaway venv), never the ``bench`` package: run by path,
``sys.path[0]`` is this directory, so nothing here can shadow the ``scaleapi`` under test.
"""
