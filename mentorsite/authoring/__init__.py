"""New records and new programs, drafted from the templates."""
