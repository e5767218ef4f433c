"""The checks of a program: fields, references, what records include, the handbook's scripts."""
