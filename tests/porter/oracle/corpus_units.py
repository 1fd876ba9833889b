# SPDX-License-Identifier: MIT
"""corpus_units: the corpus units the differential test covers, from MANIFEST.tsv."""
import glob
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
INSTANCE = "test"  # the oracle's default instance for templates


def default_corpus():
    """$KLEIN_CORPUS, else shared/corpus/debian-dev beside the repository."""
    env = os.environ.get("KLEIN_CORPUS")
    if env:
        return env
    return os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared",
                                         "corpus", "debian-dev"))


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


def fixture_path(pkg, unit):
    return os.path.join(FIXTURES, pkg, unit + ".json")
