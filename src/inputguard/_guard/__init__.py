"""The guard: `Guard`, its two executors and what runs around them.

- ``guard``: the `Guard` class, its configuration and its audit events;
- ``batch``: the batch executor, turning the validators' plans into one lazy query;
- ``record``: the record executor, one compiled function per guard;
- ``decorators``: guarded functions (``Guard.wrap``, `guarded`);
- ``inputs`` and ``writers``: what the batch path reads and writes;
- ``schema``, ``bypass`` and ``revalidate``: the pandera schema step, the bypass context and
  revalidation of quarantined rows.
"""
