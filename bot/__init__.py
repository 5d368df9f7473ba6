"""Spotter: the Telegram side (handlers, conversations, keyboards, texts)."""

import os

# Opt in to PTB 23's behaviour now (RetryAfter.retry_after as a timedelta), which also silences
# the deprecation warning PTB's own rate limiter would trigger on every flood-limit answer.
os.environ.setdefault("PTB_TIMEDELTA", "1")
