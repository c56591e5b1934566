"""Wrong passwords are slowed, then locked: per user name and per client address.

Why both: a user name alone lets one client try every name once each; a client alone lets
many clients try one name. The state is held per server process (every session shares it), so
a new browser session does not start afresh. A refused try is not checked at all, so during a wait
or a lock the right password is refused too; an unknown user name is tracked like a known one
and the message never says which one was wrong or which key is locked.

Time comes from an injected clock, so tests step it instead of sleeping.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from kam.app.auth import Viewer, check_password
from kam.figures.settings import Login

log = logging.getLogger("kam.login")
USER, CLIENT = "user", "client"
_MAX_TRACKED = 10_000  # keys kept before the oldest are forgotten: random user names cannot fill memory


@dataclass(frozen=True)
class Verdict:
    """May this try go ahead? `locked` or a wait > 0 refuses it; `seconds` is how long until it may."""
    seconds: float = 0.0
    locked: bool = False

    @property
    def allowed(self) -> bool:
        return self.seconds <= 0


@dataclass
class _State:
    failures: list[float] = field(default_factory=list)  # times of wrong passwords not yet forgotten
    locked_until: float = 0.0


def _show(text: str | None) -> str:
    # quoted and escaped: a user name with a newline cannot forge a log line
    return json.dumps((text or "")[:64], ensure_ascii=False)


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._states: dict[tuple[str, str], _State] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._states.clear()

    @staticmethod
    def keys(user: str, client: str | None) -> list[tuple[str, str]]:
        # without a known address (tests, a proxy hiding it) only the user name is tracked:
        # lumping every unknown client together would let one stranger lock everybody out
        return [(USER, user.strip().casefold())] + ([(CLIENT, client)] if client else [])

    def verdict(self, user: str, client: str | None, rules: Login) -> Verdict:
        """Whether a try for `user` from `client` may be checked now."""
        now = self.clock()
        worst = Verdict()
        with self._lock:
            for key in self.keys(user, client):
                state = self._states.get(key)
                if state is None:
                    continue
                if state.locked_until > now:
                    return Verdict(state.locked_until - now, locked=True)
                self._forget_old(state, now, rules)
                if len(state.failures) >= 2:  # one typo costs nothing; then 1×, 2×, 4× delay_seconds
                    wait = state.failures[-1] + rules.delay_seconds * 2 ** (len(state.failures) - 2) - now
                    if wait > worst.seconds:
                        worst = Verdict(wait)
        return worst

    def failed(self, user: str, client: str | None, rules: Login) -> Verdict:
        """Count a wrong password; the verdict for the next try (locked when a limit is reached)."""
        now = self.clock()
        limits = {USER: rules.max_failures, CLIENT: rules.client_max_failures}
        with self._lock:
            if len(self._states) >= _MAX_TRACKED:
                self._prune(now, rules)
            for kind, value in self.keys(user, client):
                state = self._states.setdefault((kind, value), _State())
                self._forget_old(state, now, rules)
                state.failures.append(now)
                count = len(state.failures)
                log.warning("login failed: user %s from %s, %d wrong for this %s", _show(user), _show(client),
                            count, kind)
                if count >= limits[kind]:
                    state.locked_until = now + rules.lock_minutes * 60
                    state.failures.clear()  # after the lock, a fresh start
                    log.warning("login locked for %d min: %s %s", rules.lock_minutes, kind, _show(value))
        return self.verdict(user, client, rules)

    def succeeded(self, user: str) -> None:
        """The right password: this user's count starts again (the client's does not: it may be trying many)."""
        with self._lock:
            self._states.pop(self.keys(user, None)[0], None)

    def _forget_old(self, state: _State, now: float, rules: Login) -> None:
        horizon = now - rules.lock_minutes * 60
        state.failures[:] = [t for t in state.failures if t > horizon]

    def _prune(self, now: float, rules: Login) -> None:
        for key, state in list(self._states.items()):
            self._forget_old(state, now, rules)
            if not state.failures and state.locked_until <= now:
                del self._states[key]
        while len(self._states) >= _MAX_TRACKED:  # still full: drop the oldest entries
            del self._states[next(iter(self._states))]


def attempt(users: dict[str, dict], user: str, password: str, client: str | None, rules: Login,
            throttle: LoginThrottle | None = None) -> tuple[Viewer | None, Verdict]:
    """Check a login unless the throttle refuses it: (viewer or None, the verdict for this or the next try)."""
    throttle = throttle or THROTTLE
    verdict = throttle.verdict(user, client, rules)
    if not verdict.allowed:
        log.info("login refused without checking: user %s from %s (%s)", _show(user), _show(client),
                 "locked" if verdict.locked else "too soon")
        return None, verdict
    viewer = check_password(users, user, password)
    if viewer is None:
        return None, throttle.failed(user, client, rules)
    throttle.succeeded(user)
    return viewer, verdict


THROTTLE = LoginThrottle()  # one per server process, shared by every session
