"""wards and ward subscriptions: the loaded city wards (with optional boundaries) and who follows which ward's notices

Revision ID: b93370574fbb
Revises: b20ebf062483
Create Date: 2026-11-22 23:10:34.142712

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b93370574fbb'
down_revision: Union[str, None] = 'b20ebf062483'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('wards',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('councillor', sa.JSON(), nullable=False),
    sa.Column('office', sa.JSON(), nullable=False),
    sa.Column('committee', sa.JSON(), nullable=False),
    sa.Column('localities', sa.JSON(), nullable=False),
    sa.Column('boundary', sa.JSON(), nullable=True),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_wards'))
    )
    op.create_table('ward_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_ward_subscriptions_citizen_id_citizens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_subscriptions')),
    sa.UniqueConstraint('citizen_id', 'ward', name='uq_ward_subscriptions_citizen_ward')
    )
    with op.batch_alter_table('ward_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_subscriptions_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ward_subscriptions_ward'), ['ward'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ward_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_subscriptions_ward'))
        batch_op.drop_index(batch_op.f('ix_ward_subscriptions_citizen_id'))

    op.drop_table('ward_subscriptions')
    op.drop_table('wards')
