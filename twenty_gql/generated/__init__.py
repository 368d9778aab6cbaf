"""Typed clients produced by `twenty-gql generate`. Never edit by hand."""
