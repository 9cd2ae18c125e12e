#!/usr/bin/env python3
"""Checks the gold set: every article parses and is coded per GUIDELINES.md.

Run from anywhere: python3 crates/extract/gold/check.py  (exit 1 on any problem).
Prints counts per event type and per factuality for each language.
"""
import datetime
import json
import pathlib
import re
import sys
import tomllib
from collections import Counter

HERE = pathlib.Path(__file__).resolve().parent
TYPES = {
    "organization.registered", "person.registered", "meeting.held", "meeting.scheduled",
    "cooperation.discussed", "interest.expressed", "negotiation.reported", "agreement.signed",
    "partnership.announced", "partnership.ended", "procurement.planned", "product.launched",
    "competition.noted", "event.retracted",
}
FACTUALITY = {"asserted", "planned", "possible", "reported", "negated"}
TOPICS = {
    "xr", "ai", "on-device-ai", "chips", "batteries", "ev", "autonomous-driving", "cloud", "5g",
    "telecom", "displays", "smartphones", "robotics", "energy", "hydrogen", "pharma", "payments",
    "streaming", "satellites", "quantum", "cybersecurity",
}
KINDS = {"mou", "loi", "contract", "joint-venture"}
SLUG = re.compile(r"^[a-z0-9-]{1,64}$")
ARTICLE_KEYS = {"language", "published_at", "title", "text", "expected"}
EVENT_KEYS = {"type", "organizations", "factuality", "topics", "quote", "kind"}
# how many organizations each type takes: (min, max)
ARITY = {
    "organization.registered": (1, 1), "product.launched": (1, 1),
    "interest.expressed": (2, 2), "procurement.planned": (2, 2),
}

problems = []


def problem(where, msg):
    problems.append(f"{where}: {msg}")


def norm(s):
    return " ".join(s.split())


registry = json.loads((HERE / "registry.json").read_text(encoding="utf-8"))
orgs, people, aliases = {}, {}, {}
for ev in registry:
    d = ev["data"]
    if not SLUG.match(d["id"]):
        problem("registry.json", f"bad slug {d['id']!r}")
    if ev["type"] == "organization.registered":
        if d["id"] in orgs:
            problem("registry.json", f"duplicate organization {d['id']}")
        orgs[d["id"]] = d
        for name in [d["name"], *d.get("aliases", [])]:
            key = name.casefold()
            if key in aliases and aliases[key] != d["id"]:
                problem("registry.json", f"alias {name!r} names {aliases[key]} and {d['id']}")
            aliases[key] = d["id"]
    elif ev["type"] == "person.registered":
        people[d["id"]] = d
    else:
        problem("registry.json", f"unexpected type {ev['type']}")
for d in orgs.values():
    if d.get("parent") and d["parent"] not in orgs:
        problem("registry.json", f"{d['id']}: unknown parent {d['parent']}")
for d in people.values():
    for a in d.get("affiliations", []):
        if a["organization"] not in orgs:
            problem("registry.json", f"{d['id']}: unknown organization {a['organization']}")

counts = {}
files = sorted(list((HERE / "de").glob("*.toml")) + list((HERE / "en").glob("*.toml")))
for path in files:
    where = str(path.relative_to(HERE))
    lang_dir = path.parent.name
    if not re.match(r"^\d\d-[a-z0-9-]+\.toml$", path.name):
        problem(where, "file name is not NN-slug.toml")
    try:
        art = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        problem(where, f"does not parse: {e}")
        continue
    for k in set(art) - ARTICLE_KEYS:
        problem(where, f"unknown key {k}")
    for k in ("language", "published_at", "title", "text", "expected"):
        if k not in art:
            problem(where, f"missing {k}")
    if art.get("language") != lang_dir:
        problem(where, f"language {art.get('language')!r} is not the directory {lang_dir!r}")
    pub = art.get("published_at")
    if isinstance(pub, str):
        try:
            datetime.date.fromisoformat(pub)
        except ValueError:
            problem(where, f"published_at {pub!r} is not a date")
    elif not isinstance(pub, datetime.date) or isinstance(pub, datetime.datetime):
        problem(where, f"published_at {pub!r} is not a date")
    text = art.get("text", "")
    words = len(text.split())
    registered_here = {
        o for ev in art.get("expected", []) if ev.get("type") == "organization.registered"
        for o in ev.get("organizations", [])
    }
    for slug in registered_here:
        if slug in orgs:
            problem(where, f"organization.registered {slug} is already in registry.json")
    c = counts.setdefault(lang_dir, {"type": Counter(), "factuality": Counter(), "articles": 0,
                                     "empty": 0, "words": []})
    c["articles"] += 1
    c["words"].append(words)
    if not art.get("expected"):
        c["empty"] += 1
    for i, ev in enumerate(art.get("expected", [])):
        w = f"{where} expected[{i}]"
        for k in set(ev) - EVENT_KEYS:
            problem(w, f"unknown key {k}")
        t = ev.get("type")
        if t not in TYPES or t in ("person.registered", "event.retracted"):
            problem(w, f"type {t!r} is not a codable contract type")
        f = ev.get("factuality")
        if f not in FACTUALITY:
            problem(w, f"factuality {f!r}")
        os_ = ev.get("organizations", [])
        lo, hi = ARITY.get(t, (2, 16))
        if not (lo <= len(os_) <= hi):
            problem(w, f"{t} takes {lo}..{hi} organizations, has {len(os_)}")
        if len(set(os_)) != len(os_):
            problem(w, "an organization is named twice")
        for o in os_:
            if not SLUG.match(o):
                problem(w, f"bad slug {o!r}")
            if o not in orgs and o not in registered_here:
                problem(w, f"organization {o!r} neither in registry.json nor registered by the article")
        for tp in ev.get("topics", []):
            if tp not in TOPICS:
                problem(w, f"topic {tp!r} not in the lexicon")
        if "topics" in ev and not ev["topics"]:
            problem(w, "empty topics: leave the key out")
        if "kind" in ev:
            if t not in ("agreement.signed", "partnership.announced"):
                problem(w, f"kind on {t}")
            elif ev["kind"] not in KINDS:
                problem(w, f"kind {ev['kind']!r}")
        if "quote" in ev and norm(ev["quote"]) not in norm(text):
            problem(w, f"quote is not in the text: {ev['quote'][:60]!r}")
        c["type"][t] += 1
        c["factuality"][f] += 1

for lang, c in sorted(counts.items()):
    print(f"== {lang}: {c['articles']} articles, {c['empty']} without events, "
          f"{sum(c['type'].values())} events, words min {min(c['words'])} max {max(c['words'])}, "
          f">=450 words: {sum(1 for x in c['words'] if x >= 450)}")
    for t, n in sorted(c["type"].items()):
        print(f"   {t:26} {n}")
    for f, n in sorted(c["factuality"].items()):
        print(f"   {f:26} {n}")
for p in problems:
    print("PROBLEM", p)
sys.exit(1 if problems else 0)
