"""attachments: kind (image / document), size in bytes and the file name the citizen gave

Revision ID: 4ab7b79a5d17
Revises: 59ffe410be36
Create Date: 2026-12-04 17:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '4ab7b79a5d17'
down_revision: Union[str, None] = '59ffe410be36'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable): rows from before keep NULL, shown as unknown.
    op.add_column('attachments', sa.Column('kind', sa.String(length=16), nullable=True))
    op.add_column('attachments', sa.Column('size_bytes', sa.Integer(), nullable=True))
    op.add_column('attachments', sa.Column('filename', sa.String(length=255), nullable=True))


def downgrade() -> None:
    # Plain ALTER (SQLite >= 3.35 and PostgreSQL), as for complaints.rating.
    for column in ('filename', 'size_bytes', 'kind'):
        op.execute(f"ALTER TABLE attachments DROP COLUMN {column}")
