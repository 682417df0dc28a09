"""Links keep each side's framing lines (issue 10): lines around the text the two share.

Revision ID: i10a
Revises: i5a
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i10a"
down_revision = "i5a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing links get null (not measured): the canonical choice does without them until
    # `aggregator dedup --rebuild` or a crawl that re-verifies the pair measures them.
    with op.batch_alter_table("article_links") as batch:
        batch.add_column(sa.Column("article_framing_lines", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("other_framing_lines", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article_links") as batch:
        batch.drop_column("other_framing_lines")
        batch.drop_column("article_framing_lines")
