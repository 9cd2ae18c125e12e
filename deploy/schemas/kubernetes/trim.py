"""Writes the standalone Kubernetes schemas of this directory from kubernetes-validate's bundle.

kubernetes-validate (PyPI, 1.37.0) ships yannh/kubernetes-json-schema-style schemas that point
into one shared `_definitions.json`. The deploy test needs each kind standalone, so this keeps a
kind's root schema, copies in the definitions it reaches (rewriting `/api/_definitions.json#/$defs/X`
to `#/$defs/X`), and drops `description` texts to keep the files small. Nothing else changes:
`additionalProperties: false` (the "strict" variant), types, enums and `required` stay as shipped.

    pip download kubernetes-validate==1.37.0 --no-deps -d /tmp/kv
    unzip -q /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl -d /tmp/kv/x
    python3 trim.py /tmp/kv/x/kubernetes_validate/kubernetes-json-schema/v1.31.0-local-strict
"""

import json
import sys
from pathlib import Path

KINDS = [
    "statefulset-apps-v1",
    "deployment-apps-v1",
    "service-v1",
    "configmap-v1",
    "job-batch-v1",
    "poddisruptionbudget-policy-v1",
]
SHARED = "/api/_definitions.json#/$defs/"


def strip(node, in_properties=False):
    """`node` without description texts (a property that is named `description` stays)."""
    if isinstance(node, dict):
        return {
            k: strip(v, k == "properties" and not in_properties)
            for k, v in node.items()
            if in_properties or k != "description"
        }
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def reached(node, defs, acc):
    """Adds to `acc` the name of every definition `node` reaches."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                name = v.split("$defs/")[-1]
                if name not in acc:
                    acc.add(name)
                    reached(defs[name], defs, acc)
            else:
                reached(v, defs, acc)
    elif isinstance(node, list):
        for v in node:
            reached(v, defs, acc)


def local(node):
    """`node` with its references into the shared file made local."""
    if isinstance(node, dict):
        return {
            k: (v.replace(SHARED, "#/$defs/") if k == "$ref" else local(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [local(v) for v in node]
    return node


def main(src):
    src = Path(src)
    defs = json.loads((src / "_definitions.json").read_text())["$defs"]
    for kind in KINDS:
        root = json.loads((src / f"{kind}.json").read_text())
        names = set()
        reached(root, defs, names)
        out = local(strip(root))
        out["$defs"] = {n: strip(defs[n]) for n in sorted(names)}
        Path(__file__).with_name(f"{kind}.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
