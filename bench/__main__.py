"""Run every benchmark in this package: each module with a ``main()``, in name order."""

import importlib
import pkgutil
import sys

import bench


def run_all() -> int:
    failures = 0
    for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        main = getattr(module, "main", None)
        if callable(main):
            print(f"== bench.{module_info.name}")
            failures += bool(main([]))
            print()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(run_all())
