"""The plugin's settings checked whole, and a program session opened from them."""
