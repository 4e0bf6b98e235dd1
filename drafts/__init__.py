"""The draft record, free of Wagtail: published versions of a draft rule, their clauses in
both languages with stable keys, redlines between versions, and anchoring a quote to words.

Everything else stands on this app; it imports none of the others. The consultation a
draft belongs to is an editable page one layer up (``settings.CONSULTATION_MODEL``); this
app names it only by that setting, as Django apps name the user model.
"""
