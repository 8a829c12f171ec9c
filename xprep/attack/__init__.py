"""Adversarial attacks that search: goal, transformations, constraints and search, each a registry entry.

``xprep attack RUN --task T --eval LANG=FILE --recipe NAME --out DIR`` attacks a run of ``xprep train``;
:func:`attack_sets` is the library call behind it. The shipped recipes live in :mod:`xprep.attack.catalog`
(``codemix``, ``charflip``, ``qa-question``, ``qa-distractor``, ``ner-context``); goals in
:mod:`~xprep.attack.goals`, transformations in :mod:`~xprep.attack.transforms`, constraints in
:mod:`~xprep.attack.constraints`, searches in :mod:`~xprep.attack.search`; the model behind a query budget and a
content-addressed cache in :mod:`~xprep.attack.victim`; outputs and metrics in :mod:`~xprep.attack.report`.

The package imports nothing itself (as ``xprep.perturb``): importing one registry never loads the attack
runner, so the manifest schemas can name the attack registries without an import cycle.
"""
