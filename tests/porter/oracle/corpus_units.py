# SPDX-License-Identifier: MIT
"""corpus_units: the corpus units the differential test covers, from MANIFEST.tsv."""
import glob
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
INSTANCE = "test"  # the oracle's default instance for templates


# Per systemd version: the corpus its fixtures describe and where they are.
# 252 reads Debian 12's units (fixtures/), 257 Debian 13's (fixtures-257/).
CORPORA = {"252": "debian-dev", "257": "trixie-dev"}


def fixtures_dir(version="252"):
    return FIXTURES if version == "252" else os.path.join(HERE, "fixtures-" + version)


def default_corpus(version="252"):
    """$KLEIN_CORPUS, else corpus/<the version's corpus> in $KLEIN_SHARED or
    in shared/ beside the repository."""
    env = os.environ.get("KLEIN_CORPUS")
    if env:
        return env
    shared = os.environ.get("KLEIN_SHARED") or os.path.join(HERE, "..", "..", "..", "..", "shared")
    return os.path.normpath(os.path.join(shared, "corpus", CORPORA[version]))


def units(corpus):
    """[(package, unit_file, sha256)] for every .service file in the manifest
    (drop-in rows, "x.service.d/y.conf", are not units)."""
    out = []
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            cols = line.rstrip("\n").split("\t")
            if i == 0 or len(cols) < 4:
                continue
            pkg, _ver, unit, sha = cols[:4]
            if "/" in unit or not unit.endswith(".service"):
                continue
            out.append((pkg, unit, sha))
    return out


def dropins(corpus, pkg, unit):
    """The drop-ins next to the unit (UNIT.d/*.conf), in the oracle's order."""
    return sorted(glob.glob(os.path.join(corpus, pkg, unit + ".d", "*.conf")))


def fixture_path(pkg, unit, version="252", fixtures=None):
    return os.path.join(fixtures or fixtures_dir(version), pkg, unit + ".json")
