"""The program's records and what a check says about them: types only, no I/O."""
