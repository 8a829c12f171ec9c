"""xprep: non-English intermediate-task corpora for cross-lingual transfer studies.

Public API (importing this package has no side effects):

- :func:`xprep.records.record_from_dict` and the record classes, one per task kind;
- :data:`xprep.tasks.TASKS`, the registry of intermediate tasks;
- :func:`xprep.pipeline.translate_task`, the translate build of one task into several languages.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
