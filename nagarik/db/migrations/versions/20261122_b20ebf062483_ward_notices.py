"""ward notices: what officers publish for a ward, per language

Revision ID: b20ebf062483
Revises: 91d9aac17c5a
Create Date: 2026-11-22 21:57:33.806672

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b20ebf062483'
down_revision: Union[str, None] = '91d9aac17c5a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('ward_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_notices'))
    )
    with op.batch_alter_table('ward_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_notices_ward'), ['ward'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ward_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_notices_ward'))

    op.drop_table('ward_notices')
