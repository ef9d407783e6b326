"""Lesson content and places: pydantic models, loading and validation."""
