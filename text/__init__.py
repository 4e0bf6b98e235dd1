"""Pure text functions every layer may call: Urdu letter folding, language names, and the
automatic checks for personal data, spam and abuse. No models and no database: the apps
above decide what a finding means (redact, hold, count)."""
