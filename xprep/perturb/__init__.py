"""Seeded, label-preserving perturbations of target-language test sets.

- :mod:`~xprep.perturb.registry`: PERTURBATIONS, each entry declaring the kinds it applies to, the tasks it
  refuses (with the reason) and its behaviour; :func:`~xprep.perturb.registry.applies` is the one question
  "may this perturbation run on this task?";
- :mod:`~xprep.perturb.spec`: what an entry and a request are;
- :mod:`~xprep.perturb.edits`: the word edits (shared with :mod:`xprep.attack`) and the per-example generator;
- :mod:`~xprep.perturb.records`: word edits under each kind's label-preservation rules;
  :mod:`~xprep.perturb.transforms`: whole-record transforms (word order, distractors);
- :mod:`~xprep.perturb.apply`: one record; :mod:`~xprep.perturb.testsets`: a perturbed test-set cell;
  :mod:`~xprep.perturb.retrieval`: Tatoeba and BUCC folders; :mod:`~xprep.perturb.lexicons`: code-switching
  lexicons.

Every example's random generator comes from SHA-256 of (seed, perturbation, task, language, example id,
field), so a perturbed set is reproducible item by item. The share of words (or characters) actually changed
is measured and returned with every record. This ``__init__`` imports nothing, so importing one module does
not pull in the others.
"""
