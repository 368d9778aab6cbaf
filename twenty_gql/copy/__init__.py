"""Copying records between two workspaces with their ids, so relations survive (``copy``)."""

from twenty_gql.copy.plan import CopyPlanError, ObjectPlan, default_objects, plan_copy
from twenty_gql.copy.records import ObjectTally, Refusal
from twenty_gql.copy.run import CopyOptions, CopyReport, run_copy
from twenty_gql.copy.schema_sync import MissingSchemaError, SchemaChanges
from twenty_gql.copy.verify import ObjectCheck

__all__ = [
    "CopyOptions",
    "CopyPlanError",
    "CopyReport",
    "MissingSchemaError",
    "ObjectCheck",
    "ObjectPlan",
    "ObjectTally",
    "Refusal",
    "SchemaChanges",
    "default_objects",
    "plan_copy",
    "run_copy",
]
