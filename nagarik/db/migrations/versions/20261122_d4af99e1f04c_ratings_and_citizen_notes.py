"""ratings and citizen notes: complaints.rating (1-5 from the citizen) and citizen_notes

Revision ID: d4af99e1f04c
Revises: aef5ccb52025
Create Date: 2026-11-22 20:05:35.967561

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd4af99e1f04c'
down_revision: Union[str, None] = 'aef5ccb52025'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('citizen_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_citizen_notes_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_notes'))
    )
    with op.batch_alter_table('citizen_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizen_notes_complaint_id'), ['complaint_id'], unique=False)

    op.add_column('complaints', sa.Column('rating', sa.Integer(), nullable=True))



def downgrade() -> None:
    # Plain ALTER (SQLite >= 3.35 and PostgreSQL): a batch copy of complaints would
    # trip SQLite's foreign keys from status_events.
    op.execute("ALTER TABLE complaints DROP COLUMN rating")

    with op.batch_alter_table('citizen_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_notes_complaint_id'))

    op.drop_table('citizen_notes')
