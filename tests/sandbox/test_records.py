"""Records API behaviour over real HTTP: listing, pagination, create/upsert, update, delete."""

from __future__ import annotations

import base64
import json

import aiohttp

from twenty_gql.sandbox import Sandbox

from .conftest import Client

LIST = """query L($first: Int, $after: String, $last: Int, $before: String, $offset: Int,
  $filter: CompanyFilterInput, $orderBy: [CompanyOrderByInput]) {
  companies(first: $first, after: $after, last: $last, before: $before, offset: $offset,
            filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name employees deletedAt domainName { primaryLinkUrl } } }
  }
}"""
CREATE_MANY = """mutation C($data: [CompanyCreateInput!]!, $upsert: Boolean) {
  createCompanies(data: $data, upsert: $upsert) {
    id name employees deletedAt createdAt
    domainName { primaryLinkUrl primaryLinkLabel secondaryLinks }
    annualRevenue { amountMicros currencyCode }
    createdBy { source name workspaceMemberId context }
  }
}"""


def names(data: dict) -> list[str]:
    return [e["node"]["name"] for e in data["companies"]["edges"]]


async def test_list_seeded_companies_with_cursor_pages(client: Client) -> None:
    order = [{"name": "AscNullsLast"}]
    first = await client.ok(LIST, {"first": 7, "orderBy": order})
    page = first["companies"]
    assert page["totalCount"] == 20
    assert page["pageInfo"]["hasNextPage"] is True
    collected = names(first)
    after = page["pageInfo"]["endCursor"]
    assert json.loads(base64.b64decode(after))["name"] == collected[-1]
    while after:
        nxt = await client.ok(LIST, {"first": 7, "after": after, "orderBy": order})
        collected += names(nxt)
        info = nxt["companies"]["pageInfo"]
        after = info["endCursor"] if info["hasNextPage"] else None
    assert len(collected) == 20
    assert collected == sorted(collected)
    # last/before walks back from the end
    back = await client.ok(
        LIST, {"last": 3, "before": page["edges"][5]["cursor"], "orderBy": order}
    )
    assert names(back) == collected[2:5]
    assert back["companies"]["pageInfo"]["hasPreviousPage"] is True
    offset = await client.ok(LIST, {"first": 2, "offset": 3, "orderBy": order})
    assert names(offset) == collected[3:5]
    negative = await client.post(LIST, {"first": -1})
    assert negative.codes == [("BAD_USER_INPUT", "INVALID_QUERY_INPUT")]


async def test_descending_order_with_null_values_and_cursor(client: Client) -> None:
    await client.ok(CREATE_MANY, {"data": [{"name": "No staff"}, {"name": "No staff 2"}]})
    order = [{"employees": "DescNullsLast"}]
    seen = []
    after = None
    while True:
        data = await client.ok(LIST, {"first": 4, "after": after, "orderBy": order})
        seen += [e["node"]["employees"] for e in data["companies"]["edges"]]
        if not data["companies"]["pageInfo"]["hasNextPage"]:
            break
        after = data["companies"]["pageInfo"]["endCursor"]
    assert len(seen) == 22
    assert seen[-2:] == [None, None]
    assert seen[:-2] == sorted(seen[:-2], reverse=True)


async def test_filters_and_or_not_ilike_in(client: Client) -> None:
    filt = {
        "or": [
            {"name": {"ilike": "%STRIPE%"}},
            {"and": [{"employees": {"gte": 5000}}, {"not": {"name": {"in": ["Spotify"]}}}]},
        ]
    }
    data = await client.ok(LIST, {"filter": filt, "orderBy": [{"name": "AscNullsFirst"}]})
    assert names(data) == ["Airbnb", "Datadog", "Klarna", "Revolut", "Stripe"]
    assert data["companies"]["totalCount"] == 5
    like = await client.ok(LIST, {"filter": {"name": {"like": "stripe"}}})
    assert names(like) == []  # like is case-sensitive
    composite = {"domainName": {"primaryLinkUrl": {"ilike": "%.fr"}}}
    assert names(await client.ok(LIST, {"filter": composite})) == ["Doctolib"]


async def test_find_one_and_not_found(client: Client) -> None:
    data = await client.ok(LIST, {"first": 1})
    company_id = data["companies"]["edges"][0]["node"]["id"]
    one = await client.ok(
        "query($id: UUID!) { company(filter: {id: {eq: $id}}) { id name } }", {"id": company_id}
    )
    assert one["company"]["id"] == company_id
    missing = await client.post(
        '{ company(filter: {id: {eq: "00000000-0000-4000-8000-000000000000"}}) { id } }'
    )
    assert missing.data == {"company": None}
    assert missing.codes == [("NOT_FOUND", "RECORD_NOT_FOUND")]


async def test_create_defaults_and_created_by(client: Client, sandbox: Sandbox) -> None:
    data = await client.ok(CREATE_MANY, {"data": [{"name": "Refco", "employees": 3}]})
    record = data["createCompanies"][0]
    assert record["domainName"] == {
        "primaryLinkUrl": "",
        "primaryLinkLabel": "",
        "secondaryLinks": [],
    }
    assert record["annualRevenue"] == {"amountMicros": None, "currencyCode": None}
    assert record["createdBy"] == {
        "source": "API",
        "name": "My api key",
        "workspaceMemberId": None,
        "context": {},
    }
    assert sandbox.store.count("company") == 21
    empty = await client.ok("mutation { createCompany(data: {}) { id name position } }")
    assert empty["createCompany"]["name"] == ""


async def test_upsert_matches_id_domain_and_email_case_insensitively(
    client: Client, sandbox: Sandbox
) -> None:
    created = await client.ok(
        CREATE_MANY, {"data": [{"name": "One", "domainName": {"primaryLinkUrl": "one.example"}}]}
    )
    one = created["createCompanies"][0]
    rows = [
        {"id": one["id"], "name": "One (by id)"},
        {
            "name": "One (by domain)",
            "domainName": {"primaryLinkUrl": "one.example"},
            "employees": 9,
        },
        {"name": "Two", "domainName": {"primaryLinkUrl": "https://one.example"}},
    ]
    # id and domain of one record in one batch: the same key twice, so the batch fails
    dup = await client.post(CREATE_MANY, {"data": rows, "upsert": True})
    assert dup.codes == [("BAD_USER_INPUT", None)]
    assert sandbox.store.count("company") == 21
    by_id = await client.ok(CREATE_MANY, {"data": rows[:1], "upsert": True})
    assert by_id["createCompanies"][0]["id"] == one["id"]
    assert by_id["createCompanies"][0]["createdAt"] == one["createdAt"]
    rest = await client.ok(CREATE_MANY, {"data": rows[1:], "upsert": True})
    assert rest["createCompanies"][0]["id"] == one["id"]
    assert rest["createCompanies"][0]["name"] == "One (by domain)"
    assert rest["createCompanies"][1]["id"] != one["id"]  # URLs are not normalised
    assert sandbox.store.count("company") == 22

    people = """mutation P($data: [PersonCreateInput!]!, $upsert: Boolean) {
      createPeople(data: $data, upsert: $upsert) { id emails { primaryEmail } jobTitle } }"""
    first = await client.ok(people, {"data": [{"emails": {"primaryEmail": "ada@example.com"}}]})
    again = await client.ok(
        people,
        {
            "data": [{"emails": {"primaryEmail": "ADA@Example.com"}, "jobTitle": "CTO"}],
            "upsert": True,
        },
    )
    assert again["createPeople"][0]["id"] == first["createPeople"][0]["id"]
    assert again["createPeople"][0]["emails"]["primaryEmail"] == "ada@example.com"


async def test_upsert_conflict_and_plain_duplicate(client: Client, sandbox: Sandbox) -> None:
    data = await client.ok(
        CREATE_MANY,
        {
            "data": [
                {"name": "A", "domainName": {"primaryLinkUrl": "a.example"}},
                {"name": "B", "domainName": {"primaryLinkUrl": "b.example"}},
            ]
        },
    )
    a, b = data["createCompanies"]
    conflict = await client.post(
        CREATE_MANY,
        {"data": [{"id": a["id"], "domainName": {"primaryLinkUrl": "b.example"}}], "upsert": True},
    )
    assert conflict.codes == [("BAD_USER_INPUT", "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT")]
    # Twenty's wording (transcript 16): each key by field, then by its path.
    assert conflict.errors[0]["message"] == (
        f"Multiple records found with the same unique field values for id (id: {a['id']}); "
        "domainName (domainName.primaryLinkUrl: b.example). "
        "Cannot determine which record to update."
    )
    assert a["id"] in conflict.errors[0]["message"]
    plain = await client.post(
        CREATE_MANY, {"data": [{"name": "B2", "domainName": {"primaryLinkUrl": "b.example"}}]}
    )
    assert plain.data == {"createCompanies": None}
    assert plain.errors[0]["message"] == "A duplicate entry was detected"
    assert plain.errors[0]["extensions"]["conflictingRecordId"] == b["id"]
    assert plain.errors[0]["extensions"]["userFriendlyMessage"] == (
        "This Domain Name value is already in use. Please check your data and try again."
    )
    same_id = await client.post(CREATE_MANY, {"data": [{"id": b["id"], "name": "again"}]})
    assert same_id.errors[0]["message"] == "A duplicate entry was detected"
    assert "conflictingRecordId" not in same_id.errors[0]["extensions"]


async def test_one_invalid_row_rejects_the_whole_batch(client: Client, sandbox: Sandbox) -> None:
    rows = [{"name": f"Row {i}"} for i in range(5)]
    rows[3]["employees"] = "many"
    reply = await client.post(CREATE_MANY, {"data": rows})
    assert reply.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")]
    message = reply.errors[0]["message"]
    assert '"employees"' in message and "Row 3" not in message and "[3]" not in message
    rows[3] = {"name": "Row 3", "workPolicy": ["NOT_A_POLICY"]}
    reply = await client.post(CREATE_MANY, {"data": rows})
    assert reply.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")]
    assert '"workPolicy"' in reply.errors[0]["message"]
    rows[3] = {"name": "Row 3", "id": "not-a-uuid"}
    reply = await client.post(CREATE_MANY, {"data": rows})
    assert reply.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")]
    assert sandbox.store.count("company") == 20


async def test_record_limit_per_call(client: Client, sandbox: Sandbox) -> None:
    limit = sandbox.profile.records_per_call
    too_many = await client.post(
        CREATE_MANY, {"data": [{"name": f"c{i}"} for i in range(limit + 1)]}
    )
    assert too_many.codes == [("BAD_USER_INPUT", "TOO_MANY_RECORDS_TO_UPDATE")]
    assert too_many.errors[0]["message"] == f"Maximum number of records to upsert is {limit}."
    assert sandbox.store.count("company") == 20
    exact = await client.ok(CREATE_MANY, {"data": [{"name": f"bulk{i}"} for i in range(limit)]})
    assert len(exact["createCompanies"]) == limit
    update = """mutation U($f: CompanyFilterInput!) {
      updateCompanies(filter: $f, data: {employees: 1}) { id } }"""
    over = await client.post(update, {"f": {"name": {"like": "%"}}})
    assert over.errors[0]["message"] == f"Cannot update more than {limit} records at once"
    assert over.codes == [("BAD_USER_INPUT", None)]
    ok = await client.ok(update, {"f": {"name": {"like": "bulk%"}}})
    assert len(ok["updateCompanies"]) == limit


async def test_update_merges_composites_and_clears_with_null(
    client: Client, sandbox: Sandbox
) -> None:
    created = await client.ok(
        CREATE_MANY,
        {"data": [{"name": "Addr", "employees": 4, "domainName": {"primaryLinkUrl": "x.example"}}]},
    )
    cid = created["createCompanies"][0]["id"]
    q = """mutation U($id: UUID!, $data: CompanyUpdateInput!) {
      updateCompany(id: $id, data: $data) {
      id employees domainName { primaryLinkUrl primaryLinkLabel } updatedAt } }"""
    data = await client.ok(
        q, {"id": cid, "data": {"employees": None, "domainName": {"primaryLinkLabel": "X"}}}
    )
    stored = next(r for r in sandbox.store.all("company") if r["id"] == cid)
    assert stored["updatedBy"]["source"] == "API" and stored["createdBy"]["name"] == "My api key"
    assert data["updateCompany"]["employees"] is None
    assert data["updateCompany"]["domainName"] == {
        "primaryLinkUrl": "x.example",
        "primaryLinkLabel": "X",
    }
    missing = await client.post(q, {"id": "00000000-0000-4000-8000-000000000000", "data": {}})
    assert missing.codes == [("NOT_FOUND", "RECORD_NOT_FOUND")]
    none = await client.ok(
        'mutation { updateCompanies(filter: {name: {eq: "nope"}}, data: {name: "x"}) { id } }'
    )
    assert none == {"updateCompanies": []}


async def test_soft_delete_restore_destroy(client: Client, sandbox: Sandbox) -> None:
    created = await client.ok(CREATE_MANY, {"data": [{"name": "Del A"}, {"name": "Del B"}]})
    a, b = (r["id"] for r in created["createCompanies"])
    deleted = await client.ok(
        "mutation($id: UUID!) { deleteCompany(id: $id) { id deletedAt } }", {"id": a}
    )
    assert deleted["deleteCompany"]["deletedAt"] is not None
    listed = await client.ok(LIST, {"filter": {"name": {"like": "Del%"}}})
    assert names(listed) == ["Del B"]
    only_deleted = await client.ok(
        LIST, {"filter": {"name": {"like": "Del%"}, "deletedAt": {"is": "NOT_NULL"}}}
    )
    assert names(only_deleted) == ["Del A"]
    restored = await client.ok(
        'mutation { restoreCompanies(filter: {name: {like: "Del%"}}) { id deletedAt } }'
    )
    assert [r["id"] for r in restored["restoreCompanies"]] == [a]
    assert sandbox.store.count("company") == 22
    await client.ok("mutation($id: UUID!) { deleteCompany(id: $id) { id } }", {"id": a})
    destroyed = await client.ok(
        'mutation { destroyCompanies(filter: {name: {like: "Del%"}}) { id } }'
    )
    assert sorted(r["id"] for r in destroyed["destroyCompanies"]) == sorted([a, b])
    assert sandbox.store.count("company", with_deleted=True) == 20
    gone = await client.post("mutation($id: UUID!) { destroyCompany(id: $id) { id } }", {"id": a})
    assert gone.codes == [("NOT_FOUND", "RECORD_NOT_FOUND")]


async def test_upsert_restores_a_soft_deleted_match(client: Client, sandbox: Sandbox) -> None:
    created = await client.ok(
        CREATE_MANY,
        {"data": [{"name": "Phoenix", "domainName": {"primaryLinkUrl": "phoenix.example"}}]},
    )
    pid = created["createCompanies"][0]["id"]
    await client.ok("mutation($id: UUID!) { deleteCompany(id: $id) { id } }", {"id": pid})
    back = await client.ok(
        CREATE_MANY,
        {
            "data": [{"name": "Phoenix 2", "domainName": {"primaryLinkUrl": "phoenix.example"}}],
            "upsert": True,
        },
    )
    assert back["createCompanies"][0]["id"] == pid
    assert back["createCompanies"][0]["deletedAt"] is None
    assert sandbox.store.count("company") == 21


async def test_relations_many_to_one_and_one_to_many(client: Client) -> None:
    q = """{ companies(filter: {name: {eq: "Stripe"}}) { edges { node { name
      people(first: 10, orderBy: [{jobTitle: AscNullsFirst}]) { totalCount edges { node {
        name { firstName } company { name } } } }
      opportunities { totalCount } } } } }"""
    data = await client.ok(q)
    node = data["companies"]["edges"][0]["node"]
    assert node["people"]["totalCount"] == 2
    assert {e["node"]["company"]["name"] for e in node["people"]["edges"]} == {"Stripe"}
    nested = await client.post(
        "{ people(first: 1) { edges { node { company { people { edges { node {"
        " company { people { edges { node { id } } } } } } } } } } } }"
    )
    assert nested.codes == [("BAD_USER_INPUT", "TOO_COMPLEX_QUERY")]
    assert nested.data == {"people": None}


async def test_filter_through_many_to_one_and_order_limits(client: Client) -> None:
    q = """query($f: PersonFilterInput) { people(filter: $f) { totalCount edges { node {
      company { name } } } } }"""
    data = await client.ok(q, {"f": {"company": {"name": {"in": ["Stripe", "Figma"]}}}})
    assert data["people"]["totalCount"] == 4
    assert {e["node"]["company"]["name"] for e in data["people"]["edges"]} == {"Stripe", "Figma"}
    related = await client.post(
        "{ people(orderBy: [{company: {name: AscNullsFirst}}]) { totalCount } }"
    )
    assert related.codes == [("BAD_USER_INPUT", "INVALID_QUERY_INPUT")]
    assert '"company"' in related.errors[0]["message"]
    by_city = await client.ok(
        "{ companies(first: 3, orderBy: [{address: {addressCity: DescNullsLast}}]) {"
        " edges { node { address { addressCity } } } } }"
    )
    assert [e["node"]["address"]["addressCity"] for e in by_city["companies"]["edges"]] == [
        "Stockholm",
        "Stockholm",
        "San Francisco",
    ]


async def test_join_columns_are_foreign_keys(client: Client, sandbox: Sandbox) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    bad = await client.post(
        "mutation($c: ID) { createPerson(data: {companyId: $c}) { id } }", {"c": missing}
    )
    # Postgres's words, as Twenty answers them (136)
    assert bad.codes == [("BAD_USER_INPUT", None)]
    assert bad.errors[0]["message"] == (
        'insert or update on table "person" violates foreign key constraint '
        '"FK_ee066ddacfce46c9a7cb90edd1a"'
    )
    made = await client.ok('mutation { createCompany(data: {name: "Gone soon"}) { id } }')
    cid = made["createCompany"]["id"]
    person = await client.ok(
        "mutation($c: ID) { createPerson(data: {companyId: $c}) { id companyId } }", {"c": cid}
    )
    assert person["createPerson"]["companyId"] == cid
    await client.ok("mutation($id: UUID!) { destroyCompany(id: $id) { id } }", {"id": cid})
    stored = next(p for p in sandbox.store.all("person") if p["id"] == person["createPerson"]["id"])
    assert stored["companyId"] is None


async def test_same_unique_value_twice_in_a_batch_fails_whole_batch(
    client: Client, sandbox: Sandbox
) -> None:
    twins = [
        {"name": "Twin A", "domainName": {"primaryLinkUrl": "https://twin.example"}},
        {"name": "Twin B", "domainName": {"primaryLinkUrl": "https://twin.example"}},
        {"name": "Bystander"},
    ]
    for upsert in (False, True):
        reply = await client.post(CREATE_MANY, {"data": twins, "upsert": upsert})
        assert reply.data == {"createCompanies": None}
        assert reply.errors[0]["message"] == "A duplicate entry was detected"
    assert sandbox.store.count("company") == 20
    bad_date = await client.post(
        CREATE_MANY, {"data": [{"name": "ok"}, {"name": "late", "createdAt": "yesterday"}]}
    )
    assert bad_date.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")]
    assert '"createdAt"' in bad_date.errors[0]["message"]
    assert "late" not in bad_date.errors[0]["message"]
    assert sandbox.store.count("company") == 20


async def test_cloud_profile_allows_60_records_a_call() -> None:
    async with Sandbox.start(port=0, rate_limit=None) as sb, aiohttp.ClientSession() as session:
        client = Client(session, sb, sb.api_key)
        assert sb.profile.records_per_call == 60
        over = await client.post(CREATE_MANY, {"data": [{"name": f"n{i}"} for i in range(61)]})
        assert over.errors[0]["message"] == "Maximum number of records to upsert is 60."
        ok = await client.ok(CREATE_MANY, {"data": [{"name": f"n{i}"} for i in range(60)]})
        assert len(ok["createCompanies"]) == 60
        page = await client.ok("{ companies { totalCount edges { node { id } } } }")
        assert page["companies"]["totalCount"] == 80
        assert len(page["companies"]["edges"]) == sb.profile.page_size == 60
