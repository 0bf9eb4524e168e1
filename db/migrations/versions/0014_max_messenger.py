"""MAX, the national messenger, beside Telegram, VK and the console: the messenger columns accept
"max"

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("telegram", "vk", "console")
NOW = ("telegram", "vk", "max", "console")
# (table, the CHECK constraint's own name, its column)
COLUMNS = (
    ("accounts", "messenger", "messenger"),
    ("processed_updates", "messenger", "messenger"),
    ("people", "notify_via", "notify_via"),
)


def _check(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _recheck(values: Sequence[str]) -> None:
    for table, name, column in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"ck_{table}_{name}"), type_="check")
            batch.create_check_constraint(batch.f(f"ck_{table}_{name}"), _check(column, values))


def upgrade() -> None:
    _recheck(NOW)


def downgrade() -> None:
    _recheck(BEFORE)
