"""Outbound webhooks: an organization's endpoints hear its events, signed per Standard Webhooks."""
