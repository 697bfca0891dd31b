"""Programs and inputs that the tests run through ember-submit, not test modules: pytest
collects nothing below this directory (its doctest collection would import the programs)."""

collect_ignore_glob = ["*"]
