"""whatsapp: seen message ids (redeliveries answered once) and the numbers that wrote (notifications, the 24-hour window)

Revision ID: 59ffe410be36
Revises: b93370574fbb
Create Date: 2026-11-23 00:31:54.620258

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '59ffe410be36'
down_revision: Union[str, None] = 'b93370574fbb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('whatsapp_contacts',
    sa.Column('wa_id', sa.String(length=32), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('wa_id', name=op.f('pk_whatsapp_contacts'))
    )
    with op.batch_alter_table('whatsapp_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whatsapp_contacts_last_seen'), ['last_seen'], unique=False)

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
    with op.batch_alter_table('whatsapp_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whatsapp_contacts_last_seen'))

    op.drop_table('whatsapp_contacts')
