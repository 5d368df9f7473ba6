"""View state: which page of which list a message shows, and the filter typed for it.

Kept in memory, per user, not in the persisted user_data: it changes on every page turn, and
writing it cost a database transaction on most presses. Losing it is harmless: after a restart
(or once a user has been idle among more than MAX_USERS others) Back goes to the default view,
such as the roster's first page or the library menu. Drafts and form answers stay in
user_data, where they survive a restart.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from telegram.ext import CallbackContext

VIEWS_KEY = "spotter.views"  # in bot_data
MAX_USERS = 10_000  # about 1 KB each at most: memory stays bounded however many users come


class ViewStore:
    """The view state of the most recently active users (least recently used go first)."""

    def __init__(self, max_users: int = MAX_USERS) -> None:
        self.max_users = max_users
        self._users: OrderedDict[int, dict[str, Any]] = OrderedDict()

    def of(self, user_id: int) -> dict[str, Any]:
        views = self._users.get(user_id)
        if views is None:
            views = self._users[user_id] = {}
            if len(self._users) > self.max_users:
                self._users.popitem(last=False)
        else:
            self._users.move_to_end(user_id)
        return views

    def __len__(self) -> int:
        return len(self._users)


def views_of(context: CallbackContext[Any, Any, Any, Any]) -> dict[str, Any]:
    """The calling user's view state (a plain dict; empty for a user without a user id)."""
    store = context.application.bot_data.get(VIEWS_KEY)
    if store is None:
        store = context.application.bot_data[VIEWS_KEY] = ViewStore()
    user_id = context._user_id  # the update's user; PTB has no public accessor
    return store.of(user_id) if user_id is not None else {}
