"""Files on the machine: failures told as messages, private outputs written whole, the build lock."""
