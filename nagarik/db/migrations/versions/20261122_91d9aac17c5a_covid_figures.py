"""covid figures: the last good feed figures and officers' bulletins per district

Revision ID: 91d9aac17c5a
Revises: d4af99e1f04c
Create Date: 2026-11-22 21:16:17.934695

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '91d9aac17c5a'
down_revision: Union[str, None] = 'd4af99e1f04c'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('covid_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=100), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.Column('confirmed', sa.Integer(), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('recovered', sa.Integer(), nullable=False),
    sa.Column('deceased', sa.Integer(), nullable=False),
    sa.Column('new_confirmed', sa.Integer(), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covid_figures'))
    )
    with op.batch_alter_table('covid_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covid_figures_district'), ['district'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('covid_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_covid_figures_district'))

    op.drop_table('covid_figures')
