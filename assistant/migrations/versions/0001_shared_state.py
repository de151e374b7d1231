"""Shared state: feedback, LINE events with leases, conversations, rate-limit hits (issue 12).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("backend", sa.Text, nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "line_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(128), nullable=False, unique=True),
        sa.Column("chat", sa.String(128), nullable=False, server_default=""),
        sa.Column("destination", sa.String(128), nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("lease_until", sa.Float, nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_at", sa.Float, nullable=False, server_default="0"),
    )
    op.create_index("ix_line_events_state_seq", "line_events", ["state", "seq"])
    op.create_index("ix_line_events_chat_seq", "line_events", ["chat", "seq"])
    op.create_table(
        "conversations",
        sa.Column("chat", sa.String(160), primary_key=True),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False),
        sa.Column("situation", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_table(
        "rate_hits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("who", sa.String(160), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_rate_hits_who_at", "rate_hits", ["who", "at"])


def downgrade() -> None:
    for table in ("rate_hits", "conversations", "line_events", "feedback"):
        op.drop_table(table)
