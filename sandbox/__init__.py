"""Isolated execution of untrusted repository code."""
