"""The price book: products with a unique sku, a price in a currency and a tax rate.
A product no longer sold is deactivated, never deleted: quotes keep referring to it."""
from __future__ import annotations

from sqlalchemy import or_, select

from crmkit.errors import Conflict, check_version
from crmkit.listing import contains, paginate
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import schemas
from .models import Product

product_out = schemas.ProductOut()


def _check_sku_free(unit: UnitOfWork, sku: str, product_id: str | None = None) -> None:
    # The unique constraint stays the last word when two requests race.
    taken = unit.session.scalar(select(Product.id).where(Product.sku == sku))
    if taken and taken != product_id:
        raise Conflict(f"Product {sku} exists already.", {"sku": sku, "product_id": taken})


def create_product(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.ProductCreate, data)
    _check_sku_free(unit, fields["sku"])
    return unit.add(Product(**fields, owner_id=unit.call.actor), product_out, "product.created")


def update_product(unit: UnitOfWork, product_id: str, data: dict, expected_version: int | None = None) -> dict:
    changes = load(schemas.ProductFields(partial=True), data)
    product = unit.get(Product, product_id)
    check_version("product", product, expected_version)
    if "sku" in changes:
        _check_sku_free(unit, changes["sku"], product.id)
    return unit.update(product, changes, product_out, "product.updated")


def get_product(unit: UnitOfWork, product_id: str) -> dict:
    return product_out.dump(unit.get(Product, product_id))


def list_products(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.ProductListQuery, query)
    stmt = select(Product)
    if "active" in params:
        stmt = stmt.where(Product.active.is_(params["active"]))
    if params.get("currency"):
        stmt = stmt.where(Product.currency == params["currency"])
    if params.get("q"):
        stmt = stmt.where(or_(contains(Product.sku, params["q"]), contains(Product.name, params["q"])))
    page = paginate(unit.session, stmt, model=Product, params=params)
    return {"items": product_out.dump(page.items, many=True), "next_cursor": page.next_cursor}
