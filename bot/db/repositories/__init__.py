"""Repositories: the only modules that write SQL. Functions take an AsyncSession."""
