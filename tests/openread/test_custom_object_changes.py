"""A client generated from the workspace BEFORE an admin changes it, end to end against the
sandbox over HTTP: new SELECT and MULTI_SELECT options, NUMBER values Twenty answers
(1.5 in an ``int`` field, a huge integral double in a ``BigInt`` one), a renamed and then a
removed field (answered null) that the generated model requires."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from twenty_gql import SchemaDriftError, Twenty, TwentyError, UnknownEnumValue
from twenty_gql.events import Event, UnknownEnumValueEvent
from twenty_gql.sandbox import Sandbox

from ..custom_objects import create_custom_object
from .generated_before import forget, generate_client
from .workspace_changes import add_option, remove_field, rename_field

PACKAGE = "shipments_before"
ATOMS = 7.866767199974241e73  # what Twenty answered for surveyResult's BigInt field


def _options(*values: str) -> list[dict[str, Any]]:
    return [{"value": v, "label": v.title(), "position": i} for i, v in enumerate(values)]


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    yield from forget(PACKAGE, tmp_path / "project")


async def _shipment_workspace(twenty: Twenty) -> None:
    await create_custom_object(
        twenty,
        "shipment",
        "shipments",
        {"name": "status", "type": "SELECT", "options": _options("IN_TRANSIT", "DELIVERED")},
        {"name": "tags", "type": "MULTI_SELECT", "options": _options("FRAGILE", "HEAVY")},
        {"name": "trackingCode", "type": "TEXT", "isNullable": False},
        {"name": "weight", "type": "NUMBER", "settings": {"dataType": "int"}},
        {"name": "atoms", "type": "NUMBER", "settings": {"dataType": "bigint"}},
    )


async def _create(client: Any, pkg: ModuleType, *records: dict[str, Any]) -> list[Any]:
    inputs = [pkg.ShipmentCreateInput.model_validate(r) for r in records]
    created = await client.create_shipments(data=inputs)
    return [s.id for s in created.create_shipments]


async def test_a_client_generated_before_the_change_reads_what_it_can(
    twenty_sandbox: Sandbox, root: Path
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        seen: list[Event] = []
        twenty.events.subscribe(seen.append)
        await _shipment_workspace(twenty)
        pkg = await generate_client(twenty_sandbox, root, PACKAGE, ["shipment"])
        client = pkg.Client(twenty.runtime)
        plain, changed = await _create(
            client,
            pkg,
            {"name": "P", "status": "IN_TRANSIT", "trackingCode": "P-1", "weight": 2},
            {"name": "C", "status": "DELIVERED", "trackingCode": "C-1", "tags": ["FRAGILE"]},
        )

        # the admin adds options; someone uses them
        await add_option(twenty, "shipment", "status", "RETURNED")
        await add_option(twenty, "shipment", "tags", "COLD")
        await twenty.execute(
            "mutation($id: UUID!, $atoms: BigInt) { updateShipment(id: $id, data: "
            "{status: RETURNED, tags: [FRAGILE, COLD], atoms: $atoms}) { id } }",
            {"id": str(changed), "atoms": ATOMS},
        )
        # Twenty accepts 1.5 for an int NUMBER field and answers it back (transcript 122)
        await client.update_shipment(
            id=changed, data=pkg.ShipmentUpdateInput.model_validate({"weight": 1.5})
        )

        page = await client.list_shipments(first=10)
        nodes = {edge.node.id: edge.node for edge in page.shipments.edges}
        old, new = nodes[plain], nodes[changed]
        assert old.status is pkg.ShipmentStatusEnum.IN_TRANSIT
        assert isinstance(new.status, UnknownEnumValue) and new.status == "RETURNED"
        assert new.tags == [pkg.ShipmentTagsEnum.FRAGILE, UnknownEnumValue("COLD")]
        assert (old.weight, type(old.weight), new.weight) == (2, int, 1.5)
        assert new.atoms == int(ATOMS) and float(new.atoms) == ATOMS and old.atoms is None
        assert [
            (ev.enum, ev.field, ev.value) for ev in seen if isinstance(ev, UnknownEnumValueEvent)
        ] == [("ShipmentStatusEnum", "status", "RETURNED"), ("ShipmentTagsEnum", "tags", "COLD")]

        # what was read goes back unchanged: the unknown options and the exact big number
        update = pkg.ShipmentUpdateInput(status=new.status, tags=new.tags, atoms=new.atoms)
        await client.update_shipment(id=changed, data=update)
        again = (await client.get_shipment(id=changed)).shipment
        assert (again.status, again.tags, again.atoms) == (new.status, new.tags, new.atoms)

        # a renamed field answers null through direct execution: the model requires it
        await rename_field(twenty, "shipment", "trackingCode", "trackingNumber")
        with pytest.raises(SchemaDriftError) as renamed:
            await client.list_shipments(first=10)
        error = renamed.value
        assert isinstance(error, TwentyError) and not isinstance(error, ValidationError)
        assert error.operation_name == "ListShipments"
        assert error.path in {f"shipments.edges.{i}.node.trackingCode" for i in (0, 1)}
        index = int(error.path.split(".")[2])
        assert error.data is not None
        assert error.record_id == error.data["shipments"]["edges"][index]["node"]["id"]
        assert error.record_id in {str(plain), str(changed)} and error.value is None
        assert [p for p, _, _ in error.problems] == [
            f"shipments.edges.{i}.node.trackingCode" for i in (0, 1)
        ]  # both records
        assert "twenty-gql pull --check" in str(error)
        assert "null came back" in str(error) and error.record_id in str(error)

        await remove_field(twenty, "shipment", "trackingNumber")
        with pytest.raises(SchemaDriftError) as removed:
            await client.get_shipment(id=changed)
        assert removed.value.path == "shipment.trackingCode"
        assert removed.value.record_id == str(changed)
        assert removed.value.operation_name == "GetShipment"
