"""The REST API and the web dashboard: ``detente serve``.

Both are served by one ASGI app (:func:`detente.api.app.create_app`) over the same store
queries as the command line (:class:`detente.Store`). Importing this package is cheap: FastAPI
is imported by :mod:`detente.api.app` only, which ``detente serve`` loads when it runs.
"""
