"""Pages as Markdown and HTML from templates: the handbook, portfolios, the report, charts."""
