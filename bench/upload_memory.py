"""Peak memory of cleaning one upload of decompression bombs (issue 9, item 4).

    .venv/bin/python -m bench.upload_memory [--count 6] [--side 8500] [--requests 1]
                                            [--photo] [--cleaner FILE]

Cleans `count` 1-bit PNGs of `side` × `side` pixels (a few kilobytes each) through
`governance.attachments.clean_upload`, the step every channel's upload goes through, in this
fresh process, and prints the growth of the peak resident set (ru_maxrss) and the time taken.
`--requests N` cleans N such uploads at once, in threads (as N concurrent requests would);
`--photo` cleans ordinary photos of `side` × `side` pixels (RGB JPEGs) instead of bombs.
`--cleaner FILE` measures another version of the module instead (e.g. the one before the fix,
from `git show <commit>:governance/attachments.py`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _jpeg(side: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((side, side)).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()


def measure(
    *, count: int, side: int, requests: int, photo: bool, cleaner: str | None
) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from tests.uploads import bomb_png, upload

    if cleaner:
        spec = importlib.util.spec_from_file_location("cleaner_under_test", cleaner)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        clean_upload = module.clean_upload
    else:
        from governance.attachments import clean_upload
    data = _jpeg(side) if photo else bomb_png(side)
    kind = "photo.jpg" if photo else "bomb.png"
    batches = [[upload(f"{n}-{kind}", data) for n in range(count)] for _ in range(requests)]
    outcomes: list[str] = []

    def one_request(files) -> None:
        with translation.override("en"):
            for item in files:
                try:
                    clean_upload(item)
                    outcomes.append("accepted")
                except ValidationError as refused:
                    outcomes.append("refused: " + refused.messages[0].split(" ", 1)[1])

    before = peak_rss_mb()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=requests) as pool:
        list(pool.map(one_request, batches))
    return {
        "requests": requests,
        "files": count,
        "bytes_on_the_wire": len(data) * count,
        "pixels_each": side * side,
        "peak_rss_growth_mb": round(peak_rss_mb() - before, 1),
        "seconds": round(time.perf_counter() - started, 3),
        "outcomes": sorted(set(outcomes)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upload_memory", description=__doc__)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--side", type=int, default=8_500)
    parser.add_argument("--requests", type=int, default=1)
    parser.add_argument("--photo", action="store_true", help="ordinary photos, not bombs")
    parser.add_argument("--cleaner", help="a file holding another clean_upload to measure")
    args = parser.parse_args(argv)
    figures = measure(
        count=args.count,
        side=args.side,
        requests=args.requests,
        photo=args.photo,
        cleaner=args.cleaner,
    )
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
