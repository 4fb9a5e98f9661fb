"""whatsapp inbound: seen message ids and the 24-hour window

Revision ID: 37bd22d08caa
Revises: b93370574fbb
Create Date: 2026-11-22 23:46:52.316920

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '37bd22d08caa'
down_revision: Union[str, None] = 'b93370574fbb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('whatsapp_inbound',
    sa.Column('wamid', sa.String(length=128), nullable=False),
    sa.Column('sender', sa.String(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('wamid', name=op.f('pk_whatsapp_inbound'))
    )
    with op.batch_alter_table('whatsapp_inbound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whatsapp_inbound_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_whatsapp_inbound_sender'), ['sender'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('whatsapp_inbound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whatsapp_inbound_sender'))
        batch_op.drop_index(batch_op.f('ix_whatsapp_inbound_received_at'))

    op.drop_table('whatsapp_inbound')
