"""The site engine adapter: everything that knows MkDocs, mike and the live preview."""
