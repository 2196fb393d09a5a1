"""The peer for bench/oscal.sh: compliance-trestle doing the same two jobs.

  python bench/trestle_peer.py load CATALOG.json     # Catalog.oscal_read (parse + validate)
  python bench/trestle_peer.py resolve PROFILE.json  # ProfileResolver, resolved catalog
"""
import pathlib
import sys
import tempfile

from trestle.oscal.catalog import Catalog
from trestle.core.profile_resolver import ProfileResolver


def main() -> None:
    job, path = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
    if job == "load":
        catalog = Catalog.oscal_read(path)
        assert catalog is not None and len(catalog.groups) == 20
    elif job == "resolve":
        with tempfile.TemporaryDirectory() as root:
            (pathlib.Path(root) / ".trestle").mkdir()
            resolved = ProfileResolver.get_resolved_profile_catalog(pathlib.Path(root), str(path))
            count = sum(1 for g in resolved.groups or [] for _ in g.controls or [])
            assert count > 0
    else:
        sys.exit(f"unknown job {job}")


if __name__ == "__main__":
    main()
