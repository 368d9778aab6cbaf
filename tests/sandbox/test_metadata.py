"""``/metadata`` over HTTP: a metadata change shows in ``/graphql`` on the very next request."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from twenty_gql.sandbox import Sandbox

from .conftest import Client

CREATE_OBJECT = """mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) {
  id nameSingular namePlural labelSingular isActive isSystem labelIdentifierFieldMetadataId
  fieldsList { id name type } } }"""
CREATE_FIELD = """mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) {
  id name label type isNullable isUnique defaultValue options settings objectMetadataId } }"""
OBJECTS = """query($paging: CursorPaging!, $filter: ObjectFilter!) { objects(paging: $paging,
  filter: $filter) { pageInfo { hasNextPage endCursor } edges { cursor node { id nameSingular
  fields(paging: {first: 100}) { edges { node { name type isUnique relation { type
  targetObjectMetadata { nameSingular } targetFieldMetadata { name } } } } } } } } }"""


async def create_invoice(client: Client) -> str:
    data = await client.ok(
        CREATE_OBJECT,
        {
            "input": {
                "object": {
                    "nameSingular": "invoice",
                    "namePlural": "invoices",
                    "labelSingular": "Invoice",
                    "labelPlural": "Invoices",
                }
            }
        },
        endpoint="/metadata",
    )
    return str(data["createOneObject"]["id"])


async def find_object_id(client: Client, name_singular: str) -> str:
    objects = await client.ok(
        OBJECTS, {"paging": {"first": 100}, "filter": {}}, endpoint="/metadata"
    )
    return str(
        next(
            e["node"]["id"]
            for e in objects["objects"]["edges"]
            if e["node"]["nameSingular"] == name_singular
        )
    )


async def add_field(client: Client, object_id: str, **field: object) -> dict:
    data = await client.ok(
        CREATE_FIELD,
        {"input": {"field": {"objectMetadataId": object_id, **field}}},
        endpoint="/metadata",
    )
    return data["createOneField"]


async def test_custom_object_usable_at_once(client: Client) -> None:
    object_id = await create_invoice(client)
    await add_field(
        client, object_id, type="TEXT", name="reference", label="Reference", isUnique=True
    )
    number = await add_field(
        client,
        object_id,
        type="NUMBER",
        name="amountDue",
        label="Amount due",
        settings={"decimals": 2, "type": "number"},
    )
    assert number["settings"] == {"decimals": 2, "type": "number"}
    status = await add_field(
        client,
        object_id,
        type="SELECT",
        name="status",
        label="Status",
        options=[{"value": "DRAFT", "label": "Draft"}, {"value": "PAID", "label": "Paid"}],
    )
    assert [o["value"] for o in status["options"]] == ["DRAFT", "PAID"]
    create = """mutation($d: [InvoiceCreateInput!]!, $u: Boolean) { createInvoices(data: $d,
      upsert: $u) { id name reference amountDue status createdBy { source name } } }"""
    made = await client.ok(
        create, {"d": [{"name": "INV-1", "reference": "R-1", "amountDue": 12.5, "status": "PAID"}]}
    )
    invoice = made["createInvoices"][0]
    assert invoice["createdBy"] == {"source": "API", "name": "My api key"}
    # a custom unique field joins the upsert keys
    again = await client.ok(create, {"d": [{"reference": "R-1", "amountDue": 20}], "u": True})
    assert again["createInvoices"][0]["id"] == invoice["id"]
    assert again["createInvoices"][0]["amountDue"] == 20
    dup = await client.post(create, {"d": [{"reference": "R-1"}]})
    assert dup.errors[0]["extensions"]["conflictingRecordId"] == invoice["id"]
    bad = await client.post(create, {"d": [{"status": "LOST"}]})
    assert bad.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")]
    listed = await client.ok(
        "{ invoices(filter: {status: {eq: PAID}}) { totalCount edges { node { reference } } } }"
    )
    assert listed["invoices"]["totalCount"] == 1


async def test_relation_field_both_sides(client: Client) -> None:
    object_id = await create_invoice(client)
    company_id = await find_object_id(client, "company")
    await add_field(
        client,
        object_id,
        type="RELATION",
        name="customer",
        label="Customer",
        relationCreationPayload={
            "targetObjectMetadataId": company_id,
            "type": "MANY_TO_ONE",
            "targetFieldLabel": "Invoices",
        },
    )
    stripe = await client.ok(
        '{ companies(filter: {name: {eq: "Stripe"}}) { edges { node { id } } } }'
    )
    stripe_id = stripe["companies"]["edges"][0]["node"]["id"]
    await client.ok(
        'mutation($c: ID) { createInvoice(data: {name: "I", customerId: $c}) { id } }',
        {"c": stripe_id},
    )
    await client.ok(
        'mutation { createInvoice(data: {name: "J", customer: {connect: {where: '
        '{domainName: {primaryLinkUrl: "https://stripe.com"}}}}}) { id customerId } }'
    )
    data = await client.ok(
        '{ companies(filter: {name: {eq: "Stripe"}}) { edges { node { invoices { totalCount '
        "edges { node { name customer { name } } } } } } } }"
    )
    invoices = data["companies"]["edges"][0]["node"]["invoices"]
    assert invoices["totalCount"] == 2
    assert {e["node"]["customer"]["name"] for e in invoices["edges"]} == {"Stripe"}
    after = await client.ok(OBJECTS, {"paging": {"first": 100}, "filter": {}}, endpoint="/metadata")
    company = next(
        e["node"] for e in after["objects"]["edges"] if e["node"]["nameSingular"] == "company"
    )
    rel = next(
        f["node"]["relation"] for f in company["fields"]["edges"] if f["node"]["name"] == "invoices"
    )
    assert rel == {
        "type": "ONE_TO_MANY",
        "targetObjectMetadata": {"nameSingular": "invoice"},
        "targetFieldMetadata": {"name": "customer"},
    }


async def test_duplicates_and_reserved_names_fail_validation(client: Client) -> None:
    object_id = await create_invoice(client)
    again = await client.post(
        CREATE_OBJECT,
        {
            "input": {
                "object": {
                    "nameSingular": "invoice",
                    "namePlural": "invoices",
                    "labelSingular": "I",
                    "labelPlural": "Is",
                }
            }
        },
        endpoint="/metadata",
    )
    assert again.data is None
    assert again.codes == [("METADATA_VALIDATION_FAILED", None)]
    await add_field(client, object_id, type="TEXT", name="reference", label="Reference")
    dup = await client.post(
        CREATE_FIELD,
        {
            "input": {
                "field": {
                    "objectMetadataId": object_id,
                    "type": "TEXT",
                    "name": "reference",
                    "label": "Again",
                }
            }
        },
        endpoint="/metadata",
    )
    assert dup.codes == [("METADATA_VALIDATION_FAILED", None)]
    entry = dup.errors[0]["extensions"]["errors"]["fieldMetadata"][0]["errors"][0]
    assert entry["code"] == "NOT_AVAILABLE" and entry["value"] == "reference"
    reserved = await client.post(
        CREATE_FIELD,
        {
            "input": {
                "field": {
                    "objectMetadataId": object_id,
                    "type": "TEXT",
                    "name": "createdAt",
                    "label": "x",
                }
            }
        },
        endpoint="/metadata",
    )
    assert reserved.codes == [("METADATA_VALIDATION_FAILED", None)]
    bad_options = await client.post(
        CREATE_FIELD,
        {
            "input": {
                "field": {
                    "objectMetadataId": object_id,
                    "type": "SELECT",
                    "name": "kind",
                    "label": "Kind",
                    "options": [{"value": "not upper"}],
                }
            }
        },
        endpoint="/metadata",
    )
    assert bad_options.codes == [("METADATA_VALIDATION_FAILED", None)]


async def test_update_and_delete_field_and_object(client: Client) -> None:
    object_id = await create_invoice(client)
    field = await add_field(client, object_id, type="TEXT", name="reference", label="Reference")
    await client.ok('mutation { createInvoice(data: {reference: "R"}) { id } }')
    renamed = await client.ok(
        "mutation($i: UpdateOneFieldMetadataInput!) { updateOneField(input: $i) { name label } }",
        {"i": {"id": field["id"], "update": {"name": "ref", "label": "Ref"}}},
        endpoint="/metadata",
    )
    assert renamed["updateOneField"] == {"name": "ref", "label": "Ref"}
    data = await client.ok("{ invoices { edges { node { ref } } } }")
    assert data["invoices"]["edges"][0]["node"]["ref"] == "R"
    await client.ok(
        "mutation($i: DeleteOneFieldInput!) { deleteOneField(input: $i) { id } }",
        {"i": {"id": field["id"]}},
        endpoint="/metadata",
    )
    gone = await client.ok("{ invoices { edges { node { id ref } } } }")
    assert gone["invoices"]["edges"][0]["node"]["ref"] is None  # as Twenty answers (49)
    await client.ok(
        "mutation($i: DeleteOneObjectInput!) { deleteOneObject(input: $i) { id } }",
        {"i": {"id": object_id}},
        endpoint="/metadata",
    )
    unknown = await client.post("{ invoices { totalCount } }")
    assert unknown.errors[0]["message"].startswith('Cannot query field "invoices" on type "Query".')
    # the activity targets lost their link to the deleted object
    attachment = await client.ok('{ __type(name: "Attachment") { fields { name } } }')
    assert "targetInvoiceId" not in {f["name"] for f in attachment["__type"]["fields"]}


async def test_records_and_metadata_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    async with Sandbox.start(port=0, db=db, rate_limit=None) as sb, aiohttp.ClientSession() as s:
        client = Client(s, sb, sb.api_key)
        object_id = await create_invoice(client)
        await add_field(client, object_id, type="TEXT", name="reference", label="Reference")
        await client.ok('mutation { createInvoice(data: {reference: "kept"}) { id } }')
        await client.ok('mutation { createCompany(data: {name: "Kept Co"}) { id } }')
        first_key = sb.api_key
    async with Sandbox.start(port=0, db=db, rate_limit=None) as sb, aiohttp.ClientSession() as s:
        client = Client(s, sb, sb.api_key)
        data = await client.ok("{ invoices { edges { node { reference } } } }")
        assert data["invoices"]["edges"][0]["node"]["reference"] == "kept"
        assert sb.store.count("company") == 21  # demo seed is not added twice
        # keys issued by the previous run still work (only their hashes are stored)
        assert (await client.post("{ companies { totalCount } }", key=first_key)).errors == []
    assert first_key.encode() not in db.read_bytes()


EVERY_TYPE: list[tuple[str, dict[str, object], object]] = [
    ("TEXT", {}, "hello"),
    ("NUMBER", {}, 2.5),
    ("BOOLEAN", {}, True),
    ("DATE", {}, "2026-03-01"),
    ("DATE_TIME", {}, "2026-03-01T10:00:00.000Z"),
    ("UUID", {}, "6f1c1d8e-6a53-4a3e-9a57-2b0c8d1e7f10"),
    ("SELECT", {"options": [{"value": "LOW"}, {"value": "HIGH"}]}, "HIGH"),
    ("MULTI_SELECT", {"options": [{"value": "RED"}, {"value": "BLUE"}]}, ["RED", "BLUE"]),
    ("RATING", {}, "RATING_4"),
    ("RAW_JSON", {}, {"nested": [1, 2]}),
    ("ARRAY", {}, ["a", "b"]),
    ("FULL_NAME", {}, {"firstName": "Ada", "lastName": "L"}),
    ("EMAILS", {}, {"primaryEmail": "ada@example.com"}),
    ("PHONES", {}, {"primaryPhoneNumber": "600000000", "primaryPhoneCountryCode": "FR"}),
    ("LINKS", {}, {"primaryLinkUrl": "https://example.com"}),
    ("CURRENCY", {}, {"amountMicros": 1000000, "currencyCode": "EUR"}),
    ("ADDRESS", {}, {"addressCity": "Paris"}),
]
SELECTIONS = {
    "FULL_NAME": "{ firstName lastName }",
    "EMAILS": "{ primaryEmail }",
    "PHONES": "{ primaryPhoneNumber primaryPhoneCountryCode }",
    "LINKS": "{ primaryLinkUrl }",
    "CURRENCY": "{ amountMicros currencyCode }",
    "ADDRESS": "{ addressCity }",
}


async def test_custom_fields_of_every_type_round_trip(client: Client) -> None:
    object_id = await create_invoice(client)
    data: dict[str, object] = {}
    selection = []
    for kind, extra, value in EVERY_TYPE:
        name = "f" + kind.title().replace("_", "")
        await add_field(client, object_id, type=kind, name=name, label=kind, **extra)
        data[name] = value
        selection.append(name + " " + SELECTIONS.get(kind, ""))
    made = await client.ok(
        "mutation($d: InvoiceCreateInput!) { createInvoice(data: $d) { id "
        + " ".join(selection)
        + " } }",
        {"d": data},
    )
    record = made["createInvoice"]
    for name, value in data.items():
        assert record[name] == value, name
    filtered = await client.ok(
        """{ invoices(filter: {and: [{fDate: {gte: "2026-01-01"}}, {fBoolean: {eq: true}},
        {fMultiSelect: {containsAny: [BLUE]}}, {fRating: {in: [RATING_4]}},
        {fArray: {containsIlike: "%A%"}}, {fEmails: {primaryEmail: {ilike: "ADA%"}}}]}) {
        totalCount } }"""
    )
    assert filtered["invoices"]["totalCount"] == 1
    bad_date = await client.post('mutation { createInvoice(data: {fDate: "March"}) { id } }')
    assert bad_date.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")]  # Twenty's words (123)
    assert bad_date.errors[0]["message"] == (
        "Invalid value 'March' for date field \"fDate\". Expected format: 'YYYY-MM-DD'"
    )


async def test_a_change_that_breaks_the_schema_is_refused_and_undone(
    client: Client, sandbox: Sandbox
) -> None:
    version = sandbox.workspace.schema_version
    clash = await client.post(
        CREATE_OBJECT,
        {
            "input": {
                "object": {
                    "nameSingular": "currency",
                    "namePlural": "currencies",
                    "labelSingular": "Currency",
                    "labelPlural": "Currencies",
                }
            }
        },
        endpoint="/metadata",
    )
    assert clash.codes == [("METADATA_VALIDATION_FAILED", None)]
    assert (
        "Currency"
        in clash.errors[0]["extensions"]["errors"]["objectMetadata"][0]["errors"][0]["message"]
    )
    assert sandbox.workspace.schema_version == version
    assert "currency" not in sandbox.workspace.meta.objects
    # the workspace still answers, and the attachment links were not left behind
    data = await client.ok("{ companies { totalCount } }")
    assert data["companies"]["totalCount"] == 20
    assert sandbox.workspace.meta.objects["attachment"].field("targetCurrency") is None


async def test_unique_phones_field_is_one_key_over_its_sub_fields(client: Client) -> None:
    object_id = await create_invoice(client)
    await add_field(
        client, object_id, type="PHONES", name="hotline", label="Hotline", isUnique=True
    )
    create = """mutation($d: [InvoiceCreateInput!]!, $u: Boolean) {
      createInvoices(data: $d, upsert: $u) { id name } }"""

    def phone(number: str) -> dict[str, object]:
        return {
            "primaryPhoneNumber": number,
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
        }

    made = await client.ok(
        create,
        {
            "d": [
                {"name": "a", "hotline": phone("600000001")},
                {"name": "b", "hotline": phone("600000002")},
            ]
        },
    )
    assert len(made["createInvoices"]) == 2  # same country code, different numbers
    upserted = await client.ok(
        create, {"d": [{"name": "a2", "hotline": phone("600000001")}], "u": True}
    )
    assert upserted["createInvoices"][0]["id"] == made["createInvoices"][0]["id"]
    dup = await client.post(create, {"d": [{"name": "c", "hotline": phone("600000002")}]})
    assert dup.errors[0]["extensions"]["conflictingRecordId"] == made["createInvoices"][1]["id"]


async def test_one_to_many_and_self_relations(client: Client) -> None:
    object_id = await create_invoice(client)
    company_id = await find_object_id(client, "company")
    await add_field(
        client,
        company_id,
        type="RELATION",
        name="bills",
        label="Bills",
        relationCreationPayload={
            "targetObjectMetadataId": object_id,
            "type": "ONE_TO_MANY",
            "targetFieldLabel": "Vendor",
        },
    )
    await add_field(
        client,
        object_id,
        type="RELATION",
        name="parent",
        label="Parent",
        relationCreationPayload={
            "targetObjectMetadataId": object_id,
            "type": "MANY_TO_ONE",
            "targetFieldLabel": "Children",
        },
    )
    clash = await client.post(
        CREATE_FIELD,
        {
            "input": {
                "field": {
                    "objectMetadataId": object_id,
                    "type": "RELATION",
                    "name": "twin",
                    "label": "Twin",
                    "relationCreationPayload": {
                        "targetObjectMetadataId": object_id,
                        "type": "MANY_TO_ONE",
                        "targetFieldLabel": "Twin",
                    },
                }
            }
        },
        endpoint="/metadata",
    )
    assert clash.codes == [("METADATA_VALIDATION_FAILED", None)]
    stripe = await client.ok(
        '{ companies(filter: {name: {eq: "Stripe"}}) { edges { node { id } } } }'
    )
    vendor = stripe["companies"]["edges"][0]["node"]["id"]
    top = await client.ok(
        'mutation($v: ID) { createInvoice(data: {name: "top", vendorId: $v}) { id } }',
        {"v": vendor},
    )
    parent = top["createInvoice"]["id"]
    await client.ok(
        'mutation($p: ID) { createInvoice(data: {name: "child", parentId: $p}) { id } }',
        {"p": parent},
    )
    data = await client.ok(
        "query($id: UUID!) { invoice(filter: {id: {eq: $id}}) { name vendor { name }"
        " children { edges { node { name parent { name } } } } } }",
        {"id": parent},
    )
    assert data["invoice"]["vendor"] == {"name": "Stripe"}
    assert data["invoice"]["children"]["edges"] == [
        {"node": {"name": "child", "parent": {"name": "top"}}}
    ]
    bills = await client.ok(
        '{ companies(filter: {name: {eq: "Stripe"}}) { edges { node { bills { totalCount } } } } }'
    )
    assert bills["companies"]["edges"][0]["node"]["bills"]["totalCount"] == 1


async def test_a_query_is_checked_against_the_schema_of_the_moment(client: Client) -> None:
    # The checks of a query text are cached per schema: a refusal repeats word for word until
    # a metadata change, and the same text is then checked against the new schema.
    query = "query($first: Int) { invoices(first: $first) { totalCount } }"
    before = await client.post(query, {"first": 1})
    again = await client.post(query, {"first": 1})
    assert before.errors and before.body == again.body
    assert "invoices" in before.errors[0]["message"]
    await create_invoice(client)
    data = await client.ok(query, {"first": 1})
    assert data["invoices"]["totalCount"] == 0
    # only the text's checks are cached: each request's variables are checked anew
    bad = await client.post(query, {"first": "many"})
    assert bad.codes == [("BAD_USER_INPUT", "INVALID_QUERY_INPUT")]
    assert (await client.ok(query, {"first": 2}))["invoices"]["totalCount"] == 0
