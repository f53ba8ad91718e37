"""The emulator's HTTP layer: the WSGI app, routing, request parsing, serving, fault injection.

Routes parse a request and call one function of :mod:`scaleapi.emulator.rules`; nothing here knows SQL.
"""
