"""HTTP and GraphQL protocol behaviour: auth, rate limit, bodies, validation errors, limits."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from twenty_gql.sandbox import Sandbox

from .conftest import Client

Q = "{ companies(first: 1) { edges { node { id } } } }"


async def test_auth_missing_wrong_and_read_only(client: Client, sandbox: Sandbox) -> None:
    anonymous = await client.post(Q, key=False)
    assert anonymous.status == 200
    assert anonymous.errors[0]["message"] == 'Cannot query field "companies" on type "Query".'
    assert "extensions" not in anonymous.errors[0]
    wrong = await client.post(Q, key="sbx_not-a-real-key")
    assert wrong.body == {
        "errors": [
            {
                "message": "Token invalid.",
                "extensions": {
                    "userFriendlyMessage": {
                        "id": "z+7x/s",
                        "message": "You must be authenticated to perform this action.",
                    },
                    "subCode": "UNAUTHENTICATED",
                    "code": "UNAUTHENTICATED",
                },
            }
        ]
    }
    meta = await client.post(
        "{ objects(paging: {first: 1}) { edges { node { id } } } }", endpoint="/metadata", key=False
    )
    assert meta.data is None and meta.codes == [("FORBIDDEN", None)]
    read_only = sandbox.issue_api_key(role="read-only")
    assert (await client.post(Q, key=read_only)).errors == []
    denied = await client.post(
        'mutation { createCompany(data: {name: "x"}) { id } }', key=read_only
    )
    assert denied.codes == [("FORBIDDEN", "PERMISSION_DENIED")]
    assert denied.data == {"createCompany": None}
    assert sandbox.store.count("company") == 20
    assert sandbox.api_key not in repr(sandbox)


async def test_bodies_non_json_and_batched(client: Client, sandbox: Sandbox) -> None:
    async with client.session.post(
        sandbox.url + "/graphql", data="{not json", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 400
        body = await r.json()
        assert body["statusCode"] == 400 and body["error"] == "Bad Request"
    for endpoint in ("/graphql", "/metadata"):
        async with client.session.post(sandbox.url + endpoint, json=[{"query": Q}]) as r:
            assert r.status == 400
            assert await r.json() == {"errors": [{"message": "Batching is not supported."}]}


async def test_validation_errors_map_to_twenty_codes(client: Client) -> None:
    syntax = await client.post("{ companies(first: 2) { edges { node { id } }")
    assert syntax.errors[0]["message"].startswith("Syntax Error")
    assert "extensions" not in syntax.errors[0]
    unknown_root = await client.post("{ notARootField { id } }")
    assert (
        unknown_root.errors[0]["message"] == 'Cannot query field "notARootField" on type "Query".'
    )
    bad_var = await client.post(
        "query Q($first: Int) { companies(first: $first) { edges { node { id } } } }",
        {"first": "ten"},
    )
    assert bad_var.codes == [("BAD_USER_INPUT", "INVALID_QUERY_INPUT")]
    assert bad_var.data == {"companies": None}
    bad_uuid = await client.post('mutation { updateCompany(id: "nope", data: {name: "x"}) { id } }')
    assert bad_uuid.codes == [("BAD_USER_INPUT", "INVALID_QUERY_INPUT")]
    unknown_field = await client.post(
        "{ companies(first: 1) { notAField edges { node { id notAField } } } }"
    )  # answered null, as Twenty's direct execution does (49, 61)
    assert unknown_field.errors == []
    assert unknown_field.data["companies"]["notAField"] is None
    assert unknown_field.data["companies"]["edges"][0]["node"]["notAField"] is None
    bad_sub_field = await client.post(
        "{ companies(first: 1) { edges { node { address { notAField } } } } }"
    )
    assert bad_sub_field.codes == [("GRAPHQL_VALIDATION_FAILED", None)]  # Twenty: a 500 (59)
    bad_enum = await client.post(
        "query Q($f: OpportunityFilterInput) { opportunities(filter: $f) { totalCount } }",
        {"f": {"stage": {"in": ["WON"]}}},
    )
    # Postgres's enum cast answers, without a subCode (133)
    assert bad_enum.codes == [("BAD_USER_INPUT", None)]
    assert bad_enum.errors[0]["message"] == (
        'invalid input value for enum workspace_sandbox.opportunity_stage_enum: "WON"'
    )
    unknown_option = await client.post(
        "query Q($f: CompanyFilterInput) { companies(filter: $f) { totalCount } }",
        {"f": {"workPolicy": {"containsAny": ["NOWHERE"]}}},
    )
    assert unknown_option.data == {"companies": {"totalCount": 0}}  # matches nothing (134)


async def test_root_field_rules(client: Client, sandbox: Sandbox) -> None:
    twice = await client.post(
        "{ a: companies(first: 1) { totalCount } b: companies(first: 2) { totalCount } }"
    )
    assert twice.data == {}
    assert twice.errors[0]["message"] == 'Duplicate root resolver: "companies"'
    types = ["Company", "Person", "Opportunity", "Note", "Task", "NoteTarget", "TaskTarget"]
    missing = "00000000-0000-4000-8000-000000000000"
    fields = [
        f'{verb}{t}(id: "{missing}") {{ id }}'
        for t in types
        for verb in ("restore", "destroy", "delete")
    ]
    twenty = await client.post("mutation { " + " ".join(fields[:20]) + " }")
    assert len(twenty.data) == 20  # executed: each root field answers on its own
    assert set(twenty.codes) == {("NOT_FOUND", "RECORD_NOT_FOUND")}
    too_many = await client.post("mutation { " + " ".join(fields[:21]) + " }")
    assert too_many.data == {}
    assert too_many.errors[0]["message"] == (
        "Query too complex - Too many root resolvers requested: 21 - "
        "Maximum allowed root resolvers: 20"
    )


async def test_aliases_only_on_root_fields(client: Client) -> None:
    # Twenty honours root aliases (100) and ignores nested ones (99, 101): the sandbox keeps the
    # first and refuses the second, naming the alias, so a client relying on it fails in tests.
    root = await client.post("{ list: companies(first: 1) { totalCount } }")
    assert root.errors == [] and set(root.data) == {"list"}
    for query, alias in (
        ("{ companies(first: 1) { list: edges { node { id } } } }", "list: edges"),
        (
            "query { companies(first: 1) { ...F } } fragment F on CompanyConnection "
            "{ edges { node { companyName: name } } }",
            "companyName: name",
        ),
        ('mutation { createCompany(data: {name: "A"}) { newId: id } }', "newId: id"),
    ):
        nested = await client.post(query)
        assert nested.status == 200 and nested.data is None
        assert nested.codes == [("GRAPHQL_VALIDATION_FAILED", None)]
        message = nested.errors[0]["message"]
        assert f'"{alias}" below the root field' in message
        assert nested.errors[0]["locations"]
    same_name = await client.post("{ companies(first: 1) { edges: edges { node { id } } } }")
    assert same_name.errors == []


async def test_rate_limit_twenty_style() -> None:
    # one token a second refills: slow enough that a loaded machine does not blur the burst
    async with Sandbox.start(port=0, rate_limit=(3, 3.0)) as sb, aiohttp.ClientSession() as session:
        client = Client(session, sb, sb.api_key)
        replies = [await client.post(Q) for _ in range(4)]
        assert [r.errors for r in replies[:3]] == [[], [], []]
        throttled = replies[3]
        assert throttled.status == 200
        assert throttled.data == {"companies": None}
        assert throttled.codes == [("BAD_USER_INPUT", "LIMIT_REACHED")]
        assert throttled.errors[0]["message"] == "Limit reached (3 tokens per 3000 ms)"
        # a throttled mutation is not executed
        before = sb.store.count("company")
        blocked = await client.post('mutation { createCompany(data: {name: "t"}) { id } }')
        assert blocked.codes == [("BAD_USER_INPUT", "LIMIT_REACHED")]
        assert sb.store.count("company") == before
        # metadata and requests without a key are not charged
        meta = await client.post("{ currentWorkspace { id } }", endpoint="/metadata")
        assert meta.errors == []
        anonymous = await client.post(Q, key=False)
        assert anonymous.codes == [(None, None)]  # the unauthenticated schema, not throttled
        assert sb.stats["throttled"] == 2


async def test_rate_limit_refills_continuously() -> None:
    async with Sandbox.start(port=0, rate_limit=(1, 0.5)) as sb, aiohttp.ClientSession() as session:
        client = Client(session, sb, sb.api_key)
        assert (await client.post(Q)).errors == []
        assert (await client.post(Q)).codes == [("BAD_USER_INPUT", "LIMIT_REACHED")]
        await asyncio.sleep(0.6)  # one token every 500 ms
        assert (await client.post(Q)).errors == []
        assert (await client.post(Q)).codes == [("BAD_USER_INPUT", "LIMIT_REACHED")]


async def test_rate_limit_retry_after_style() -> None:
    async with (
        Sandbox.start(port=0, rate_limit=(1, 10.0), rate_limit_style="retry-after") as sb,
        aiohttp.ClientSession() as session,
    ):
        client = Client(session, sb, sb.api_key)
        assert (await client.post(Q)).errors == []
        throttled = await client.post(Q)
        assert throttled.codes == [("RATE_LIMITED", "RATE_LIMITED")]
        assert throttled.errors[0]["message"] == "Rate limit reached. Please try again later."
        # continuous refill: the next token is due 10 s after the first call, less time spent
        assert 9_000 < throttled.errors[0]["extensions"]["retryAfterMs"] <= 10_000


async def test_refuses_non_loopback_host() -> None:
    try:
        Sandbox(host="0.0.0.0")
    except ValueError as error:
        assert "non-loopback" in str(error)
    else:
        raise AssertionError("a non-loopback host must be refused")


async def test_rate_limit_sequence_83_three_root_fields_cost_one_token(
    reference_dir: Path,
) -> None:
    recorded = json.loads(
        (
            reference_dir / "sequences/83-ratelimit-lowered-three-root-fields-token-cost.json"
        ).read_text()
    )["sequence"]
    three = (
        "{ companies(first: 1) { totalCount } people(first: 1) { totalCount }"
        " opportunities(first: 1) { totalCount } }"
    )
    # the recorded window is 2000 ms; 20 s keeps a loaded machine from refilling mid-sequence
    async with Sandbox.start(port=0, rate_limit=(5, 20.0)) as sb, aiohttp.ClientSession() as s:
        client = Client(s, sb, sb.api_key)
        observed = []
        for step in recorded:
            reply = await client.post(three if step["label"] == "3root" else Q)
            observed.append(
                {
                    "errors": [e["message"].replace("20000 ms", "2000 ms") for e in reply.errors],
                    "non_null": sorted(k for k, v in (reply.data or {}).items() if v is not None),
                }
            )
    assert observed == [
        {"errors": step["errors"], "non_null": sorted(step["non_null"])} for step in recorded
    ]


async def test_unknown_sub_field_of_a_composite_input_names_the_input_type(client: Client) -> None:
    # Every composite (Links ... RichText, Actor) is a value, not an object: the message names
    # its input type instead of an object "richText" or "actor" the workspace does not have.
    for owner, field, value, type_name in (
        ("Company", "domainName", "{foo: 1}", "LinksCreateInput"),
        ("Note", "bodyV2", "{foo: 1}", "RichTextCreateInput"),
        ("Note", "createdBy", "{source: MANUAL, foo: 1}", "ActorCreateInput"),
    ):
        reply = await client.post(
            f"mutation {{ create{owner}(data: {{{field}: {value}}}) {{ id }} }}"
        )
        assert reply.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")], reply.body
        assert reply.errors[0]["message"] == f'Field "foo" is not defined by type "{type_name}".'


async def test_the_operation_to_run_is_chosen_by_name(client: Client) -> None:
    two = "query A { companies(first: 1) { totalCount } } query B { people { totalCount } }"
    unnamed = await client.post(two)
    assert unnamed.body == {
        "errors": [
            {"message": "Must provide operation name if query contains multiple operations."}
        ]
    }
    unknown = await client.post(two, operation_name="C")
    assert unknown.body == {"errors": [{"message": "Unknown operation named 'C'."}]}
    chosen = await client.ok(two, operation_name="B")
    assert list(chosen) == ["people"]
    only_fragments = await client.post("fragment F on Company { id }")
    assert only_fragments.body == {"errors": [{"message": "Must provide an operation."}]}
