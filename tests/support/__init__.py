"""Helpers shared by the test suite, imported as ``support.<module>`` (setup.cfg puts ``tests`` on the path).

* ``fixtures``: the tier fixtures (``emulator``, ``emu``, the recording server) on the shipped pytest
  plugin; a tier's conftest imports those it uses;
* ``sdk``, ``longwork``, ``emulator``: keys and payload builders of the SDK, long-work and emulator tests;
* ``recording_server`` (records requests, answers from a function), ``scripted_server`` (answers from a
  script, drops and drips), ``callback_receiver`` (records callback POSTs): loopback HTTP servers on
  127.0.0.1;
* ``v2_facts``: the v2 models' facts, read from the repository's OpenAPI description; ``v2_model_checks``:
  ``cls_of`` and the ``roundtrip`` check of the v2 model tests; ``v2_errors``: the status -> v2 exception ->
  ``ScaleException`` table of the v2 exception and endpoint tests.
* ``one_of``: ``held(wrapper, Kind)``, the value a v2 oneOf wrapper holds, checked to be a ``Kind``.
* ``doc_blocks``: the code blocks of README.rst and docs/*.md; ``readme_samples``: the seed README's samples,
  read from ``readme_samples.md``.
"""
