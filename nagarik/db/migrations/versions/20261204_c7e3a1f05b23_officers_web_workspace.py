"""officers' web workspace: officers, their sessions, login failures, the audit log, staff notes,
assignments, and indexes for the complaint queue

Revision ID: c7e3a1f05b23
Revises: 4ab7b79a5d17
Create Date: 2026-12-04 17:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c7e3a1f05b23'
down_revision: Union[str, None] = '4ab7b79a5d17'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

UTC = sa.DateTime(timezone=True)
# The queue sorts by (column, id): these indexes give a page without sorting the matching rows.
QUEUE_INDEXES = {"created_at": ["created_at", "id"], "due_at": ["due_at", "id"],
                 "department_code": ["department_code"], "category_code": ["category_code"]}


def upgrade() -> None:
    op.create_table('officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('department_code', sa.String(length=64), nullable=True),
    sa.Column('wards', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_officers_department_code_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officers')),
    sa.UniqueConstraint('name', name=op.f('uq_officers_name'))
    )
    op.create_table('officer_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('expires_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_officer_sessions_officer_id_officers')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_officer_sessions'))
    )
    op.create_index(op.f('ix_officer_sessions_officer_id'), 'officer_sessions', ['officer_id'])
    op.create_index(op.f('ix_officer_sessions_expires_at'), 'officer_sessions', ['expires_at'])
    op.create_table('login_failures',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('blocked_until', UTC, nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_login_failures'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('officer_name', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_audit_log_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_officer_id'), 'audit_log', ['officer_id'])
    op.create_index(op.f('ix_audit_log_action'), 'audit_log', ['action'])
    op.create_index(op.f('ix_audit_log_created_at'), 'audit_log', ['created_at'])
    op.create_table('staff_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_staff_notes_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_staff_notes_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_notes'))
    )
    op.create_index(op.f('ix_staff_notes_complaint_id'), 'staff_notes', ['complaint_id'])
    op.create_table('assignments',
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_assignments_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_assignments_officer_id_officers')),
    sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_assignments'))
    )
    op.create_index(op.f('ix_assignments_officer_id'), 'assignments', ['officer_id'])
    for column, columns in QUEUE_INDEXES.items():
        op.create_index(f'ix_complaints_{column}', 'complaints', columns)


def downgrade() -> None:
    for column in QUEUE_INDEXES:
        op.drop_index(f'ix_complaints_{column}', table_name='complaints')
    op.drop_table('assignments')
    op.drop_table('staff_notes')
    op.drop_table('audit_log')
    op.drop_table('login_failures')
    op.drop_table('officer_sessions')
    op.drop_table('officers')
