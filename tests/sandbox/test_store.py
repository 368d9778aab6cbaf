"""Store: id lists longer than one ``IN (...)`` slice are read, cleared and deleted whole."""

from __future__ import annotations

from twenty_gql.sandbox.store import Store


def test_id_lists_span_several_slices() -> None:
    store = Store()
    store.ensure_table("thing")
    ids = [f"id{i}" for i in range(1203)]
    for record_id in ids:
        store.insert("thing", {"id": record_id, "ref": record_id})
    assert sorted(store.get_many("thing", ids + ids[:5])) == sorted(ids)
    store.clear_references("thing", "ref", ids[:1001])
    cleared = store.count_where("thing", "json_extract(data, '$.ref') IS NULL")
    assert cleared == 1001
    store.delete("thing", ids[:1100])
    assert sorted(store.select_ids("thing")) == sorted(ids[1100:])
