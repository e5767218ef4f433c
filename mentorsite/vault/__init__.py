"""Passphrases, the keys file and sealing sites for any static host."""
