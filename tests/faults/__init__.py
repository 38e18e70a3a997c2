"""Fault injection for tests: a proxy that breaks links on purpose, and a server that can be killed."""
