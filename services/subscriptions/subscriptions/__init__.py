"""Subscriptions to the sales events and their webhook deliveries (README.md)."""
