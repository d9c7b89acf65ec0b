"""Catalog items as the API publishes them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from xinyong.catalog.schema import Item
from xinyong.catalog.service import ItemInForce


class CatalogItemOut(BaseModel):
    version: str
    scope: str
    effective_from: date
    approved_by: str
    item: Item

    @classmethod
    def of(cls, found: ItemInForce) -> CatalogItemOut:
        return cls(
            version=found.version,
            scope=found.scope,
            effective_from=found.effective_from,
            approved_by=found.approved_by,
            item=found.item,
        )
