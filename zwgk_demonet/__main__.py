"""`python -m zwgk_demonet --as-of 2026-11-23 --registry /tmp/sites.yml`: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from . import build_network


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m zwgk_demonet", description="Serve the zwgk demo portal network."
    )
    ap.add_argument(
        "--as-of", type=date.fromisoformat, default=date.today(), help="YYYY-MM-DD (default today)"
    )
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--registry", type=Path, help="write the sites YAML here")
    ap.add_argument("--truth", type=Path, help="write the ground truth (JSON) here")
    args = ap.parse_args(argv)
    net = build_network(args.as_of, args.seed)
    truth = net.ground_truth()
    with net.serve() as running:
        for p in net.portals:
            state = "" if p.reachable else "  (unreachable: nothing listens)"
            print(f"{p.id:10s} {p.style:7s} {running.base_urls[p.id]}  {p.name}{state}")
        if args.registry:
            print(f"registry: {running.write_registry(args.registry)}")
        if args.truth:
            import json

            args.truth.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
            print(f"truth: {args.truth}")
        counts = Counter(r["rule"] for r in truth)
        print("ground truth:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        print("serving on 127.0.0.1, Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
