"""Storage raises codes and bot/ words them: tests of a rule's wording read it as people do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.core.texts import error_text


@contextmanager
def raises_worded(kind: type[Exception], pattern: str) -> Iterator[None]:
    with pytest.raises(kind) as caught:
        yield
    worded = error_text(caught.value)
    assert re.search(pattern, worded), worded
