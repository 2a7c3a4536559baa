"""The 30,000 most common passwords, as the `zxcvbn` package ships them (from leaked password
sets, ranked by frequency), lower-cased. Loaded once per process (about 3 MB)."""

from __future__ import annotations

from functools import cached_property


class ZxcvbnCommonPasswords:
    @cached_property
    def _passwords(self) -> frozenset[str]:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])

    def __contains__(self, password: object) -> bool:
        return isinstance(password, str) and password in self._passwords

    def __len__(self) -> int:
        return len(self._passwords)
