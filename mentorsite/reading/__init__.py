"""Reading records and mkdocs.yml within bounds, each problem at its line and column."""
