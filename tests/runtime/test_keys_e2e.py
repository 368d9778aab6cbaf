"""Roles and revoked keys, end to end over HTTP against the sandbox: a read-only key gets
Twenty's PERMISSION_DENIED on writes (191, 192); a revoked key gets its own error class from the
very next request, on /graphql and /metadata (197, 198), until it is un-revoked (202)."""

from __future__ import annotations

import pytest

from twenty_gql import errors as e
from twenty_gql.client import Twenty
from twenty_gql.sandbox import Sandbox

COUNT = "{ companies(first: 1) { totalCount } }"


async def test_read_only_key_reads_but_cannot_write(twenty_sandbox: Sandbox) -> None:
    key = twenty_sandbox.issue_api_key(role="read-only")
    async with Twenty(twenty_sandbox.url, key, rate_limit="off") as twenty:
        assert (await twenty.execute(COUNT))["companies"]["totalCount"] >= 0
        with pytest.raises(e.PermissionDeniedError) as denied:
            await twenty.execute('mutation { createCompanies(data: [{name: "No"}]) { id } }')
        assert not isinstance(denied.value, e.RevokedKeyError)
        assert denied.value.server_message == (
            "Entity performing the request does not have permission"
        )
        assert denied.value.sub_code == "PERMISSION_DENIED"
        assert denied.value.user_friendly_message == "User does not have permission."


async def test_a_revoked_key_is_refused_from_the_next_request(twenty_sandbox: Sandbox) -> None:
    key = twenty_sandbox.issue_api_key(name="soon revoked")
    async with Twenty(twenty_sandbox.url, key, rate_limit="off") as twenty:
        await twenty.execute(COUNT)
        twenty_sandbox.revoke_api_key(key)
        with pytest.raises(e.RevokedKeyError) as revoked:
            await twenty.execute(COUNT)
        assert revoked.value.server_message == "This API Key is revoked"
        assert revoked.value.sub_code == "FORBIDDEN_EXCEPTION"
        assert key not in repr(revoked.value) and key not in str(revoked.value)
        with pytest.raises(e.RevokedKeyError):
            await twenty.execute("{ currentWorkspace { id } }", endpoint="/metadata")
        twenty_sandbox.revoke_api_key(key, revoked=False)
        assert (await twenty.execute(COUNT))["companies"]["totalCount"] >= 0
    # the sandbox's own key was never touched
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await twenty.execute(COUNT)
