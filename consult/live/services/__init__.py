"""Every action in a live town hall is one function, in the module of what it changes.

``session`` (start, end, announcements, captions, the record), ``questions``, ``votes``,
``polls`` and ``speakers``; ``checks`` holds who acts and what every action checks first.
Each action checks permission, validates, writes, and appends a ``LiveEvent`` through
``consult.live.events``, which numbers it and sends it after commit. Consumers are thin
adapters.
"""
