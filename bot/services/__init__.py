"""Business rules. Services take an AsyncSession and call repositories; they know no channel."""
