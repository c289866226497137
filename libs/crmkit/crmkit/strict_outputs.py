"""Tests that a service's RPC answers are exactly what its output schemas say: every
service's ``tests/test_output_schemas.py`` calls its RPC methods as nameko would
(``ServiceCalls``) and checks each answer (``Outputs``).

Why a strict check of our own rather than ``Schema().load(answer)``: load refuses valid
answers and lets wrong ones through. It refuses every record, because RecordSchema's
``id``, ``created_at``, ``updated_at`` and ``version`` are dump_only, which load treats as
unknown fields; it refuses a negative quantity, total or balance (Amount's minimum of 0 is meant
for input: SignedAmount says so in these schemas); and it is lenient where a wire format
must not be: a Decimal field takes a JSON number (an amount must be a string), an Integer
field takes "5", a Boolean field takes "yes" or 1, a DateTime field takes a date or a
time without its zone. ``check`` below walks the schema instead: a field the schema does
not declare fails (as ``unknown=RAISE`` would), a null fails unless the field says
``allow_none``, a required field must be there, every value must have its JSON type,
and each leaf is then deserialized by its own field, so its validators (OneOf, Range,
...) hold too.

Beyond each answer, every field of every output schema must be seen filled in at least
once, and each nullable one null at least once, so a schema cannot declare what the
service never answers nor allow a null it never sends (see ``NEVER``).
"""
from __future__ import annotations

import inspect
import json
from collections import defaultdict
from types import ModuleType

from marshmallow import Schema, ValidationError, fields
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc

from .context import CallContext
from .entrypoints import database_attribute
from .history import Cause
from .unit_of_work import UnitOfWork


class Mismatch(AssertionError):
    pass


def output_keys(schema: Schema) -> dict[str, fields.Field]:
    return {field.data_key or name: field for name, field in schema.fields.items() if not field.load_only}


def check(schema: Schema, data, path: str, seen: dict) -> None:
    """``data`` is exactly what ``schema`` describes (see the module's docstring)."""
    if not isinstance(data, dict):
        raise Mismatch(f"{path}: {type(schema).__name__} expects an object, got {data!r}")
    declared = output_keys(schema)
    unknown = sorted(set(data) - set(declared))
    if unknown:
        raise Mismatch(f"{path}: {type(schema).__name__} has no field {', '.join(unknown)}")
    for key, field in declared.items():
        if key not in data:
            if field.required:
                raise Mismatch(f"{path}.{key}: required by {type(schema).__name__}, missing")
            continue
        check_value(field, data[key], f"{path}.{key}")
        seen[(type(schema).__name__, key)].add("null" if data[key] is None else "set")
        if isinstance(field, fields.Nested) and not isinstance(field, fields.Pluck) and data[key] is not None:
            for i, item in enumerate(data[key] if field.many else [data[key]]):
                check(field.schema, item, f"{path}.{key}[{i}]", seen)
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested) and data[key] is not None:
            for i, item in enumerate(data[key]):
                if item is not None:
                    check(field.inner.schema, item, f"{path}.{key}[{i}]", seen)


JSON_TYPES = [  # the first class a field is an instance of decides (Date is a DateTime)
    (fields.Boolean, (bool,)), (fields.Integer, (int,)), (fields.Float, (int, float)), (fields.Date, (str,)),
    (fields.DateTime, (str,)), (fields.String, (str,)),
]


def check_value(field: fields.Field, value, path: str) -> None:
    """One value of a field: nested objects are checked by ``check``, their callers."""
    if value is None:
        if not field.allow_none:
            raise Mismatch(f"{path}: null, but the field does not allow_none")
        return
    if isinstance(field, fields.Pluck):
        plucked = field.schema.fields[field.field_name]
        for i, item in enumerate(expect_list(value, path) if field.many else [value]):
            check_value(plucked, item, f"{path}[{i}]")
        return
    if isinstance(field, fields.Nested):
        if field.many:
            expect_list(value, path)
        return
    if isinstance(field, fields.List):
        for i, item in enumerate(expect_list(value, path)):
            check_value(field.inner, item, f"{path}[{i}]")
        for validator in field.validators:  # the list's own (its items are checked above)
            try:
                validator(value)
            except ValidationError as refused:
                raise Mismatch(f"{path}: refused: {refused.messages}") from None
        return
    if isinstance(field, fields.Dict):
        if not isinstance(value, dict):
            raise Mismatch(f"{path}: expects an object, got {value!r}")
        for key, item in value.items():
            if field.key_field is not None:
                check_value(field.key_field, key, f"{path}<key {key!r}>")
            if field.value_field is not None:
                check_value(field.value_field, item, f"{path}.{key}")
        return
    if type(field) is fields.Raw:
        return  # any JSON value
    if isinstance(field, fields.Decimal):
        wanted = (str,) if field.as_string else (int, float)
    else:
        wanted = next((types for cls, types in JSON_TYPES if isinstance(field, cls)), None)
        if wanted is None:
            raise Mismatch(f"{path}: {type(field).__name__} has no JSON type this check knows; use a plain field")
    if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
        raise Mismatch(f"{path}: {type(field).__name__} expects {'/'.join(t.__name__ for t in wanted)}, "
                       f"got {value!r}")
    loaded = validate(field, value, path)
    if isinstance(field, fields.DateTime) and not isinstance(field, fields.Date) and loaded.tzinfo is None:
        raise Mismatch(f"{path}: a time without its zone: {value!r}")


def expect_list(value, path: str) -> list:
    if not isinstance(value, list):
        raise Mismatch(f"{path}: expects an array, got {value!r}")
    return value


def validate(field: fields.Field, value, path: str):
    try:
        return field.deserialize(value)
    except ValidationError as refused:
        raise Mismatch(f"{path}: {value!r} refused: {refused.messages}") from None


def reachable(schema_cls: type[Schema], found: dict) -> dict:
    """{schema name: schema} of ``schema_cls`` and every schema nested in it."""
    schema = schema_cls()
    if type(schema).__name__ in found:
        return found
    found[type(schema).__name__] = schema
    for field in schema.fields.values():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and not isinstance(inner, fields.Pluck):
            reachable(type(inner.schema), found)
    return found


def rpc_methods(service_class) -> set[str]:
    return {name for name, member in inspect.getmembers(service_class, callable)
            if any(isinstance(entrypoint, Rpc) for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ()))}


class Outputs:
    """A service's output schemas (found in ``modules``) and which RPC answers with which
    (``rpc_outputs``: method -> (one | list | page, schema name))."""

    def __init__(self, modules: tuple[ModuleType, ...], rpc_outputs: dict[str, tuple[str, str]]):
        self.modules, self.rpc_outputs = modules, rpc_outputs

    def schema_named(self, name: str) -> type[Schema]:
        for module in self.modules:
            found = getattr(module, name, None)
            if isinstance(found, type) and issubclass(found, Schema):
                return found
        raise LookupError(f"no schema {name} in {', '.join(module.__name__ for module in self.modules)}")

    def check_answer(self, method: str, answer, seen: dict) -> None:
        shape, name = self.rpc_outputs[method]
        schema = self.schema_named(name)()
        if shape == "one":
            check(schema, answer, method, seen)
        elif shape == "list":
            for i, item in enumerate(expect_list(answer, method)):
                check(schema, item, f"{method}[{i}]", seen)
        elif shape == "page":
            if not isinstance(answer, dict) or set(answer) != {"items", "next_cursor"}:
                raise Mismatch(f"{method}: a page is {{items, next_cursor}}, got {answer!r}")
            if answer["next_cursor"] is not None and not isinstance(answer["next_cursor"], str):
                raise Mismatch(f"{method}.next_cursor: a string or null, got {answer['next_cursor']!r}")
            seen[("page", "next_cursor")].add("null" if answer["next_cursor"] is None else "set")
            for i, item in enumerate(expect_list(answer["items"], f"{method}.items")):
                check(schema, item, f"{method}.items[{i}]", seen)
        else:
            raise Mismatch(f"{method}: unknown shape {shape!r}")

    def declaration_problems(self, service_class) -> list[str]:
        """What is wrong with ``rpc_outputs`` for ``service_class``: an RPC without an
        output, an output for no RPC, an unknown shape, a schema not named ...Out or not
        found."""
        methods = rpc_methods(service_class)
        problems = [f"{m}: an RPC without an output schema" for m in sorted(methods - set(self.rpc_outputs))]
        problems += [f"{m}: not an RPC of the service" for m in sorted(set(self.rpc_outputs) - methods)]
        for method, (shape, name) in sorted(self.rpc_outputs.items()):
            if shape not in ("one", "list", "page"):
                problems.append(f"{method}: unknown shape {shape!r}")
            if not name.endswith("Out"):
                problems.append(f"{method}: {name} is no output schema's name (...Out)")
            try:
                self.schema_named(name)
            except LookupError as exc:
                problems.append(f"{method}: {exc}")
        return problems

    def unseen(self, answers: dict[str, list], never: dict) -> list[str]:
        """Fields of any output schema that no answer filled in, and nullable ones no
        answer left null, but for those ``never`` explains ((schema, field, kind) -> why)."""
        seen = defaultdict(set)
        for method, given in answers.items():
            for answer in given:
                self.check_answer(method, answer, seen)
        found: dict = {}
        for _shape, name in self.rpc_outputs.values():
            reachable(self.schema_named(name), found)
        missing = []
        for name, schema in sorted(found.items()):
            for key, field in output_keys(schema).items():
                wanted = {"set", "null"} if field.allow_none else {"set"}
                for kind in sorted(wanted - seen[(name, key)]):
                    if (name, key, kind) not in never:
                        missing.append(f"{name}.{key} never {kind}")
        if seen[("page", "next_cursor")] != {"set", "null"}:
            missing.append("a page's next_cursor never both set and null")
        return missing


class ServiceCalls:
    """Each call: a new unit of work and service instance, committed before the answer,
    which is kept (by method) as it comes out of JSON."""

    def __init__(self, engine, source: str, service_class: type):
        self.engine, self.source, self.service_class = engine, source, service_class
        self.catalogue = getattr(service_class, database_attribute(service_class)).catalogue
        self.answers: dict[str, list] = defaultdict(list)

    def unit(self, actor: str | None = "ana", cause: Cause | None = None) -> UnitOfWork:
        return UnitOfWork(engine=self.engine, source=self.source, call=CallContext(actor=actor), sqlite_lock=None,
                          waker=None, catalogue=self.catalogue, cause=cause)

    def run(self, work, actor: str | None = "ana", cause: Cause | None = None):
        unit = self.unit(actor, cause)
        try:
            result = work(unit)
            unit.commit()
            return result
        except BaseException:
            unit.rollback()
            raise
        finally:
            unit.close()

    def __getattr__(self, method: str):
        def call(*args, actor: str | None = "ana", **kwargs):
            def work(unit):
                service = self.service_class()
                service.db = unit
                return getattr(service, method)(*args, **kwargs)

            answer = json.loads(json.dumps(self.run(work, actor, Cause("request", f"{self.source}.{method}"))))
            self.answers[method].append(answer)
            return answer

        return call
