"""Portal latency under load: random subject pages and searches at a fixed request rate from a second process.

In one run: fill a database with the demo generator (or reuse one), start ``xinyong serve`` in its own
process, then from another process send requests on a fixed schedule for the given time (``traffic``: open
loop, latency from each request's scheduled time): first ``/healthz`` alone (the framework's floor: one
trivial query), then subject pages and searches by four characters of an organisation's name, two pages for
each search. Prints throughput, p50/p99 and errors per kind and overall, and the server's CPU time per
request; the last line is one JSON object.

    .venv/bin/python bench/portal.py --subjects 420000 --rate 200 --seconds 60 --workers 2 \
        [--database-url URL] [--data-dir D [--reuse]]
"""

from __future__ import annotations

import argparse

import load

# What visitors of a public portal ask for: two subject pages for each search.
SHARES = {"subject": 2 / 3, "search": 1 / 3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    load.add_arguments(parser)
    load.drive(parser.parse_args(), prefix="xinyong-portal-", shares=SHARES, title="portal")


if __name__ == "__main__":
    main()
