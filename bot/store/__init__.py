"""The SQL store: SQLAlchemy 2 async models, Alembic migrations, and the operations the bot needs."""

from bot.store.db import Store

__all__ = ["Store"]
