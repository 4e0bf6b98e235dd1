"""The Django project: settings, URL map, ASGI application and the server entry point.

Wiring only: it imports the apps, and no app imports it.
"""
