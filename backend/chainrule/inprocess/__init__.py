"""Recording trusted code in-process (notebooks, scripts): see recording.py."""
