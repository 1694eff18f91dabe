"""Enumerates every way free text gets into jumin: form fields, API input fields and
parameters, and text columns of the models (used by tests/test_free_text_boundary.py)."""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import Any

from django import forms
from django.apps import apps
from django.db import models
from ninja import Schema
from pydantic import BaseModel

import jumin


def import_everything() -> None:
    """Import every module of jumin that can hold a form or a schema."""
    for info in pkgutil.walk_packages(jumin.__path__, "jumin."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf in (
            "forms",
            "views",
            "admin_views",
            "api",
            "identity_api",
            "special_views",
            "identity_views",
            "wide_area_views",
        ):
            importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def form_classes() -> list[type[forms.BaseForm]]:
    import_everything()
    return sorted(
        (
            c
            for c in _subclasses(forms.BaseForm)
            if c.__module__.startswith("jumin.") and c.__module__ != "jumin.free_text"
        ),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def form_text_fields(cls: type[forms.BaseForm]) -> list[str]:
    form = cls()
    return sorted(name for name, field in form.fields.items() if isinstance(field, forms.CharField))


def _holds_text(annotation: Any) -> bool:
    if annotation is str or annotation is Any:
        return True
    return any(_holds_text(arg) for arg in typing.get_args(annotation))


def _models_in(model: type[BaseModel]) -> set[type[BaseModel]]:
    """``model`` and the models nested in its fields (``list[OffenderIn]`` …)."""
    found = {model}
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                found |= _models_in(annotation)
            else:
                stack.extend(typing.get_args(annotation))
    return found


def api_inputs() -> tuple[list[type[BaseModel]], dict[str, list[str]]]:
    """(the body schemas, the text query/path parameters by operation)."""
    from jumin.api import api

    bodies: set[type[BaseModel]] = set()
    params: dict[str, list[str]] = {}
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.signature.models:
                    for name, field in model.model_fields.items():
                        annotation = field.annotation
                        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                            bodies |= _models_in(annotation)
                        elif _holds_text(annotation):
                            key = f"{'/'.join(operation.methods)} {path}"
                            params.setdefault(key, []).append(name)
    return sorted(bodies, key=lambda c: f"{c.__module__}.{c.__qualname__}"), params


def schema_text_fields(cls: type[BaseModel]) -> list[str]:
    return sorted(name for name, field in cls.model_fields.items() if _holds_text(field.annotation))


def model_text_columns() -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("jumin."):
            continue
        names = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
        ]
        if names:
            columns[model._meta.label] = sorted(names)
    return columns


def inventory() -> dict[str, tuple[str, ...]]:
    """Everything above as ``{"kind:name": (field, …)}``."""
    found: dict[str, tuple[str, ...]] = {}
    for cls in form_classes():
        found[f"form:{cls.__module__}.{cls.__qualname__}"] = tuple(form_text_fields(cls))
    bodies, params = api_inputs()
    for schema in bodies:
        found[f"schema:{schema.__module__}.{schema.__qualname__}"] = tuple(schema_text_fields(schema))
        assert isinstance(schema, type) and issubclass(schema, Schema)
    for key, names in params.items():
        found[f"param:{key}"] = tuple(sorted(names))
    for label, names in model_text_columns().items():
        found[f"model:{label}"] = tuple(names)
    return found
