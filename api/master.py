"""Master data API: suppliers, materials, BOM lines, purchase lines, and receiving goods against a purchase line."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlmodel import select

from api.auth import require_token
from api.schemas import Schema
from core.runtime import current_runtime
from orders.exceptions import InvalidInput, OrderNotFound
from orders.models import BomLine, Material, Product, PurchaseLine, Supplier
from orders.purchasing import receive_purchase_line

blp = Blueprint("master", __name__, url_prefix="/api", description="基础资料与采购")
WRITERS = ("purchasing", "planner", "warehouse")
TEXT = validate.Length(0, 200)


class SupplierIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    contact_name = fields.String(validate=TEXT, load_default="")
    contact_phone = fields.String(validate=validate.Length(0, 40), load_default="")
    email = fields.String(validate=TEXT, load_default="")
    address = fields.String(validate=TEXT, load_default="")
    note = fields.String(validate=TEXT, load_default="")
    active = fields.Boolean(load_default=True)


class SupplierOut(SupplierIn):
    id = fields.Integer()


class MaterialIn(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 60))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(validate=validate.OneOf(["raw", "packaging"]), load_default="raw")
    unit = fields.String(validate=validate.Length(1, 20), load_default="件")
    stock_on_hand = fields.Float(validate=validate.Range(0, 1e12), load_default=0)
    safety_stock = fields.Float(validate=validate.Range(0, 1e12), load_default=0)
    supplier = fields.String(validate=TEXT, load_default="")


class MaterialOut(MaterialIn):
    id = fields.Integer()


class BomLineIn(Schema):
    product = fields.String(required=True, validate=validate.Length(1, 60), metadata={"description": "产品编码"})
    material = fields.String(required=True, validate=validate.Length(1, 60), metadata={"description": "物料编码"})
    qty_per_unit = fields.Float(required=True, validate=validate.Range(0, 1e9, min_inclusive=False))
    scrap_pct = fields.Float(validate=validate.Range(0, 100), load_default=0)


class BomLineOut(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    material_id = fields.Integer()
    qty_per_unit = fields.Float()
    scrap_pct = fields.Float()


class PurchaseLineIn(Schema):
    po_no = fields.String(required=True, validate=validate.Length(1, 60))
    material = fields.String(required=True, validate=validate.Length(1, 60), metadata={"description": "物料编码"})
    quantity = fields.Float(required=True, validate=validate.Range(0, 1e12, min_inclusive=False))
    expected_on = fields.Date(allow_none=True, load_default=None)
    supplier = fields.String(validate=TEXT, load_default="")


class PurchaseLineOut(Schema):
    id = fields.Integer()
    po_no = fields.String()
    material_id = fields.Integer()
    supplier = fields.String()
    quantity = fields.Float()
    arrived_quantity = fields.Float()
    expected_on = fields.Date(allow_none=True)
    arrived_on = fields.Date(allow_none=True)
    batch_no = fields.String()


class Receive(Schema):
    quantity = fields.Float(required=True, validate=validate.Range(0, 1e12, min_inclusive=False))
    batch = fields.String(validate=validate.Length(0, 60), load_default="")


class ReceiveOut(PurchaseLineOut):
    released = fields.List(fields.String(), metadata={"description": "因物料到齐转入待排产的订单号"})


def _material(s, code: str) -> Material:
    found = s.exec(select(Material).where(Material.code == code.strip())).first()
    if found is None:
        raise InvalidInput(f"没有找到物料「{code}」，请先添加物料。", field="material")
    return found


@blp.route("/suppliers")
class Suppliers(MethodView):
    @require_token()
    @blp.response(200, SupplierOut(many=True))
    def get(self):
        """Every supplier, by name."""
        with current_runtime().uow() as uow:
            return [r.model_dump() for r in uow.session.exec(select(Supplier).order_by(Supplier.name)).all()]

    @require_token(*WRITERS)
    @blp.arguments(SupplierIn)
    @blp.response(201, SupplierOut)
    def post(self, data):
        """Add a supplier; 400 when the name exists."""
        with current_runtime().uow() as uow:
            if uow.session.exec(select(Supplier.id).where(Supplier.name == data["name"].strip())).first():
                raise InvalidInput(f"供应商「{data['name']}」已存在。", field="name")
            row = Supplier(**{**data, "name": data["name"].strip()})
            uow.session.add(row)
            uow.commit()
            return row.model_dump()


@blp.route("/materials")
class Materials(MethodView):
    @require_token()
    @blp.response(200, MaterialOut(many=True))
    def get(self):
        """Every material with its stock."""
        with current_runtime().uow() as uow:
            return [m.model_dump() for m in uow.session.exec(select(Material).order_by(Material.code)).all()]

    @require_token(*WRITERS)
    @blp.arguments(MaterialIn)
    @blp.response(201, MaterialOut)
    def post(self, data):
        """Add a material; 400 when the code exists."""
        with current_runtime().uow() as uow:
            if uow.session.exec(select(Material.id).where(Material.code == data["code"])).first():
                raise InvalidInput(f"物料编码「{data['code']}」已存在。", field="code")
            row = Material(**data)
            uow.session.add(row)
            uow.commit()
            return row.model_dump()


@blp.route("/bom-lines")
class BomLines(MethodView):
    @require_token()
    @blp.response(200, BomLineOut(many=True))
    def get(self):
        """Every BOM line."""
        with current_runtime().uow() as uow:
            return [b.model_dump() for b in uow.session.exec(select(BomLine).order_by(BomLine.id)).all()]

    @require_token(*WRITERS)
    @blp.arguments(BomLineIn)
    @blp.response(201, BomLineOut)
    def post(self, data):
        """Add one material to a product's bill of materials."""
        with current_runtime().uow() as uow:
            s = uow.session
            product = s.exec(select(Product).where(Product.code == data["product"].strip())).first()
            if product is None:
                raise InvalidInput(f"没有找到产品「{data['product']}」。", field="product")
            row = BomLine(product_id=product.id, material_id=_material(s, data["material"]).id,
                          qty_per_unit=data["qty_per_unit"], scrap_pct=data["scrap_pct"])
            s.add(row)
            uow.commit()
            return row.model_dump()


@blp.route("/purchase-lines")
class PurchaseLines(MethodView):
    @require_token()
    @blp.response(200, PurchaseLineOut(many=True))
    def get(self):
        """Purchase lines, newest first (at most 500)."""
        with current_runtime().uow() as uow:
            rows = uow.session.exec(select(PurchaseLine).order_by(PurchaseLine.id.desc()).limit(500)).all()
            return [r.model_dump() for r in rows]

    @require_token(*WRITERS)
    @blp.arguments(PurchaseLineIn)
    @blp.response(201, PurchaseLineOut)
    def post(self, data):
        """Add a purchase line (goods on order for a material)."""
        with current_runtime().uow() as uow:
            s = uow.session
            row = PurchaseLine(po_no=data["po_no"].strip(), material_id=_material(s, data["material"]).id,
                               quantity=data["quantity"], expected_on=data["expected_on"], supplier=data["supplier"])
            s.add(row)
            uow.commit()
            return row.model_dump()


@blp.route("/purchase-lines/<int:line_id>/receive")
class PurchaseReceive(MethodView):
    @require_token(*WRITERS)
    @blp.arguments(Receive)
    @blp.response(200, ReceiveOut)
    def post(self, data, line_id):
        """Book goods arrived: stock goes up and 待采购 orders now covered move to 待排产."""
        rt = current_runtime()
        with rt.uow() as uow:
            if uow.session.get(PurchaseLine, line_id) is None:
                raise OrderNotFound("没有找到该采购行。")
            line, released = receive_purchase_line(uow, line_id, quantity=data["quantity"], batch=data["batch"],
                                         actor=g.actor, tz=rt.settings.tz)
            uow.commit()
            return {**line.model_dump(), "released": released}
