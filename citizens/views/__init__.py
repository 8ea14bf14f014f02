"""Citizen pages: accounts, submitting a request, following it, the public record."""
