"""Platform adapter tests use the simulator fixtures of tests/integration/conftest.py."""
