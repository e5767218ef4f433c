"""What happened in a pair and how it measures against the practices: pure functions."""
