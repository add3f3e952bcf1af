"""Accounts: users, roles, memberships (user to venue or region) and API tokens."""
