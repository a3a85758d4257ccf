"""Model instances made from database rows without running Model.__init__.

Django's `Model.from_db` calls `__init__`, which sends `pre_init` and `post_init` and sets each
field through its descriptor: about 7 µs a story and 4 µs an author, and an article page makes
three dozen of them (its story, bylines, tags, related stories, comments). Where nothing listens
to those signals and every field's descriptor does no more than store the value, the same
instance is made by filling its `__dict__`: about 1.5 µs.
"""

import inspect

from django.db import models
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.dispatch.dispatcher import NO_RECEIVERS

# Descriptors whose __set__, on a new instance, only puts the value in its __dict__.
STORING_DESCRIPTORS = {
    DeferredAttribute,
    ForeignKeyDeferredAttribute,
    FileDescriptor,
    ImageFileDescriptor,
}


def _init_changes_nothing(model):
    """Whether `model.__init__` is Django's own and only stores the values it is given."""
    # Nor a mixin's, which Model.__init__ would reach through super(), nor a __setattr__.
    for base in model.__mro__:
        if base not in (models.Model, object) and {"__init__", "__setattr__"} & set(vars(base)):
            return False
    for field in model._meta.concrete_fields:
        descriptor = inspect.getattr_static(model, field.attname, None)
        if type(descriptor) not in STORING_DESCRIPTORS:
            return False
        # An image field that keeps its dimensions updates them as its file is set.
        if isinstance(descriptor, ImageFileDescriptor) and (
            field.width_field or field.height_field
        ):
            return False
    return True


_PLAIN = {}


def _listened(signal, model):
    """Whether a receiver of `signal` listens for `model`'s instances. The signal's own cache
    answers "none" without the ~1 µs `has_listeners` takes (it is cleared on every connect)."""
    if not signal.receivers:
        return False
    return signal.sender_receivers_cache.get(model) is not NO_RECEIVERS and (
        signal.has_listeners(model)
    )


def loaded_directly(model, db, field_names, values):
    """The instance `Model.from_db` would make of these values, made without `__init__`; None
    where `__init__` might do more (then the caller asks `from_db`)."""
    plain = _PLAIN.get(model)
    if plain is None:
        plain = _PLAIN[model] = _init_changes_nothing(model) and (
            model.from_db.__func__ in _DJANGOS_FROM_DB
        )
    if not plain or _listened(pre_init, model) or _listened(post_init, model):
        return None
    new = model.__new__(model)
    state = models.base.ModelState()
    state.adding, state.db = False, db
    # A deferred field is left out, as __init__ leaves it, to be loaded when read.
    new.__dict__["_state"] = state
    new.__dict__.update(zip(field_names, values, strict=True))
    return new


def from_db(model, db, field_names, values):
    """`model.from_db(db, field_names, values)`, made directly where that is the same: for any
    model, a library's too (django-taggit's tags, packed in a story's row)."""
    new = loaded_directly(model, db, field_names, values)
    return model.from_db(db, field_names, values) if new is None else new


class DirectlyLoaded(models.Model):
    """A model whose instances read from the database skip `__init__` where that changes
    nothing (see the module's docstring); otherwise Django's `from_db` makes them."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        new = loaded_directly(cls, db, field_names, values)
        return super().from_db(db, field_names, values) if new is None else new


_DJANGOS_FROM_DB = {models.Model.from_db.__func__, DirectlyLoaded.from_db.__func__}
