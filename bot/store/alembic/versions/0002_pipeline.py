"""pipeline tables: candidate trajectories per job, model spend per installation per day

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trajectories",
        sa.Column("job_id", sa.String(length=128), nullable=False),
        sa.Column("candidate", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "candidate"),
    )
    op.create_table(
        "daily_spend",
        sa.Column("installation_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.Column("usd", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("installation_id", "day"),
    )
    op.create_index("ix_bot_prs_issue", "bot_prs", ["repo_full_name", "issue_number"])


def downgrade() -> None:
    op.drop_index("ix_bot_prs_issue", table_name="bot_prs")
    op.drop_table("daily_spend")
    op.drop_table("trajectories")
