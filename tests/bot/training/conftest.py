from tests.bot.conftest import harness, tg

__all__ = ["harness", "tg"]
