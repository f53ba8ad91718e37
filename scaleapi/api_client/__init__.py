"""Code for the API surfaces beyond v1; ``scaleapi.api_client.v2`` is the v2 API.

Nothing here is imported by ``import scaleapi``: the v2 modules load when they are first used.
"""
