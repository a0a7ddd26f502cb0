"""Signals the indicators app sends; apps that use it connect to them (never the reverse).

`framework_changed` is sent by `loader.sync` after its transaction commits, when
stored framework text changed (created, updated or retired rows), with:

- `framework_ids`: the pks of the frameworks concerned, sorted;
- `indicator_codes`: framework pk -> sorted codes of its indicators added, changed
  (question, translations, mappings, equivalent, area) or retired. A framework
  whose own, dimension or area text changed is listed with the codes it has,
  perhaps none.
"""

from django.dispatch import Signal

framework_changed = Signal()
