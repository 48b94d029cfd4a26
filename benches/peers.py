#!/usr/bin/env python3
"""Side-by-side dedup speed: neardup against datasketch and rensa on one generated news corpus.

Method. `neardup synth` writes a news-like corpus (default 20,000 documents of 200-600 words,
10% copies of an earlier document: exact copies, light edits, blog reposts, excerpts and digests)
and a truth file naming each copy's source. Each tool then runs its whole dedup as a separate
process - read the JSON Lines, shingle (word 5-grams), sign (128 permutations), index, query, and
verify every candidate exactly on the shingle sets - and writes the verified pairs. We report the
wall time and peak resident memory of that process (from `os.wait4`), the pairs it reported, and
its recall against the known copies (truth pairs found / truth pairs), also without digests (a
digest holds only half of each source, so a Jaccard method is not expected to find it).

Fairness. Same corpus, same shingles (lower-cased `\\w+` words, 5 at a time), 128 permutations,
the same Jaccard threshold (--threshold, 0.5), exact verification for everyone. neardup also
reports pairs where 60% of one document is inside the other (its containment search: that is what
it is for), so its recall is higher by design; its time includes that extra work.

rensa runs three ways: its classic path (`RMinHash.from_token_sets`, every token hashed,
`RMinHashLSH.query_all`, then our exact verification), and its bulk "rho" path
(`digest_matrix_from_token_sets_rho` + `insert_matrix_and_query_duplicate_flags`) twice: with
RENSA_RHO_TOKEN_BUDGET=0, which hashes every token, and with its default token budget, which
samples the tokens of long documents. The rho path returns a duplicate flag per document, not
pairs, so nothing is verified there and its recall counts a known copy as found when flagged: it
is rensa's fastest path, measured for speed, and flattered on recall.

Usage: python3 benches/peers.py [--docs 20000] [--seed 1] [--threshold 0.5] [--workdir DIR]
                                 [--skip-build]
Prints a table and writes results.json and results.md to the work dir (default target/peers).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORD = re.compile(r"\w+")
K = 5
NUM_PERM = 128


def shingles(text):
    words = WORD.findall(text.lower())
    if len(words) < K:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + K]) for i in range(len(words) - K + 1)}


def read_corpus(path):
    ids, sets = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            sets.append(shingles(d["text"]))
    return ids, sets


def verify(ids, sets, candidates, threshold, out):
    """Exact Jaccard on the shingle sets; writes the pairs that reach the threshold."""
    n = 0
    with open(out, "w") as f:
        for i, j in candidates:
            a, b = sets[i], sets[j]
            inter = len(a & b)
            union = len(a) + len(b) - inter
            if union and inter / union >= threshold:
                f.write(json.dumps({"a": ids[i], "b": ids[j]}) + "\n")
                n += 1
    return n


def worker_datasketch(corpus, out, threshold):
    from datasketch import MinHash, MinHashLSH
    ids, sets = read_corpus(corpus)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    sigs = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([g.encode("utf-8") for g in s])
        lsh.insert(i, m)
        sigs.append(m)
    candidates = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i:
                candidates.add((min(i, j), max(i, j)))
    verify(ids, sets, sorted(candidates), threshold, out)


def rensa_bands(threshold):
    """Bands for 128 permutations whose S-curve knee, (1/b)^(1/r), is nearest the threshold."""
    options = [b for b in (4, 8, 16, 32, 64, 128) if NUM_PERM % b == 0]
    return min(options, key=lambda b: abs((1 / b) ** (b / NUM_PERM) - threshold))


def worker_rensa(corpus, out, threshold):
    """rensa's classic path: RMinHash per document (every token hashed), RMinHashLSH, verify."""
    from rensa import RMinHash, RMinHashLSH
    ids, sets = read_corpus(corpus)
    sigs = RMinHash.from_token_sets([list(s) for s in sets], NUM_PERM, 42)
    lsh = RMinHashLSH(threshold, NUM_PERM, rensa_bands(threshold))
    lsh.insert_many(sigs)
    candidates = set()
    for i, found in enumerate(lsh.query_all(sigs)):
        for j in found:
            if j != i:
                candidates.add((min(i, j), max(i, j)))
    verify(ids, sets, sorted(candidates), threshold, out)


def worker_rensa_rho(corpus, out, threshold):
    """rensa's bulk path: the rho digest matrix (its token budget decides full hashing or
    sampling) and duplicate flags from the LSH in one pass. It gives flags, not pairs, so there
    is nothing to verify: a known copy counts as found when it is flagged."""
    from rensa import RMinHash, RMinHashLSH
    ids, sets = read_corpus(corpus)
    matrix = RMinHash.digest_matrix_from_token_sets_rho([list(s) for s in sets], NUM_PERM, 42)
    lsh = RMinHashLSH(threshold, NUM_PERM, rensa_bands(threshold))
    flags = lsh.insert_matrix_and_query_duplicate_flags(matrix)
    with open(out, "w") as f:
        for i, flagged in enumerate(flags):
            if flagged:
                f.write(json.dumps({"flagged": ids[i]}) + "\n")


def run_measured(cmd, env=None):
    """Runs a process; returns (seconds, peak RSS in MB, return code, stderr tail)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - start
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024.0, p.returncode, err[-600:]


def recall(pairs_path, truth):
    """(pairs or flagged documents reported, recall, recall without digests)."""
    found, flagged = set(), set()
    with open(pairs_path) as f:
        for line in f:
            p = json.loads(line)
            if "flagged" in p:
                flagged.add(p["flagged"])
            else:
                found.add(tuple(sorted((p["a"], p["b"]))))

    def hit(t):
        if flagged:
            return t["derived"] in flagged
        return tuple(sorted((t["source"], t["derived"]))) in found

    nd = [t for t in truth if t["kind"] != "digest"]
    return (len(found) or len(flagged), sum(map(hit, truth)) / max(1, len(truth)),
            sum(map(hit, nd)) / max(1, len(nd)))


def ensure_venv(path):
    py = os.path.join(path, "bin", "python")
    if not os.path.exists(py):
        venv.create(path, with_pip=True)
    subprocess.run([py, "-m", "pip", "install", "-q", "datasketch", "rensa"], check=True)
    versions = subprocess.run([py, "-c", "import importlib.metadata as m; "
                               "print(m.version('datasketch'), m.version('rensa'))"],
                              capture_output=True, text=True, check=True).stdout.split()
    return py, dict(zip(["datasketch", "rensa"], versions))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "target", "peers"))
    ap.add_argument("--venv", default=os.path.join(ROOT, "target", "peers-venv"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--worker", nargs=3, metavar=("TOOL", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        tool, corpus, out = args.worker
        workers = {"datasketch": worker_datasketch, "rensa": worker_rensa,
                   "rensa-rho": worker_rensa_rho}
        workers[tool](corpus, out, args.threshold)
        return 0

    os.makedirs(args.workdir, exist_ok=True)
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    neardup = os.path.join(ROOT, "target", "release", "neardup")
    corpus = os.path.join(args.workdir, "corpus.jsonl")
    truth_path = os.path.join(args.workdir, "truth.json")
    subprocess.run([neardup, "synth", "--docs", str(args.docs), "--seed", str(args.seed),
                    "--derived", "0.1", "--out", corpus, "--truth", truth_path], check=True)
    truth = json.load(open(truth_path))["pairs"]
    py, versions = ensure_venv(args.venv)
    print(f"corpus: {args.docs} documents, {os.path.getsize(corpus) / 1e6:.1f} MB, "
          f"{len(truth)} known copies; datasketch {versions.get('datasketch')}, "
          f"rensa {versions.get('rensa')}; threshold {args.threshold}", flush=True)

    me = os.path.abspath(__file__)
    base_env = dict(os.environ)
    runs = [
        (f"neardup (J >= {args.threshold} or containment >= 0.6)",
         [neardup, "dedup", corpus, "--out-pairs", "{out}", "--jaccard", str(args.threshold),
          "--progress", "never"], base_env),
        ("rensa RMinHash + LSH + verify (every token hashed)",
         [py, me, "--threshold", str(args.threshold), "--worker", "rensa", corpus, "{out}"],
         base_env),
        ("rensa rho matrix, full hashing (RENSA_RHO_TOKEN_BUDGET=0), flags only",
         [py, me, "--threshold", str(args.threshold), "--worker", "rensa-rho", corpus, "{out}"],
         dict(base_env, RENSA_RHO_TOKEN_BUDGET="0")),
        ("rensa rho matrix, default token sampling, flags only",
         [py, me, "--threshold", str(args.threshold), "--worker", "rensa-rho", corpus, "{out}"],
         {k: v for k, v in base_env.items() if k != "RENSA_RHO_TOKEN_BUDGET"}),
        ("datasketch MinHashLSH",
         [py, me, "--threshold", str(args.threshold), "--worker", "datasketch", corpus, "{out}"],
         base_env),
    ]
    results = []
    for name, cmd, env in runs:
        out = os.path.join(args.workdir, re.sub(r"\W+", "_", name)[:60] + ".jsonl")
        cmd = [c.replace("{out}", out) for c in cmd]
        seconds, rss, code, err = run_measured(cmd, env)
        if code != 0:
            print(f"{name}: failed (exit {code}): {err}", flush=True)
            results.append({"tool": name, "error": err})
            continue
        pairs, r_all, r_nd = recall(out, truth)
        results.append({"tool": name, "seconds": seconds, "peak_mb": rss, "pairs": pairs,
                        "recall": r_all, "recall_no_digest": r_nd})
        print(f"{name}: {seconds:.2f} s, {rss:.0f} MB, {pairs} pairs, recall {r_all:.3f} "
              f"({r_nd:.3f} without digests)", flush=True)

    ours = results[0] if "seconds" in results[0] else None
    lines = ["| tool | time (s) | peak RSS (MB) | pairs | recall | recall w/o digests | "
             "time vs neardup | memory vs neardup |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "seconds" not in r:
            lines.append(f"| {r['tool']} | failed | | | | | | |")
            continue
        tr = r["seconds"] / ours["seconds"] if ours else float("nan")
        mr = r["peak_mb"] / ours["peak_mb"] if ours else float("nan")
        lines.append(f"| {r['tool']} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | {r['pairs']} | "
                     f"{r['recall']:.3f} | {r['recall_no_digest']:.3f} | {tr:.1f}x | {mr:.1f}x |")
    table = "\n".join(lines)
    print()
    print(table)
    with open(os.path.join(args.workdir, "results.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(args.workdir, "results.json"), "w") as f:
        json.dump({"docs": args.docs, "threshold": args.threshold, "versions": versions,
                   "results": results}, f, indent=1)
    return 0 if ours else 1


if __name__ == "__main__":
    sys.exit(main())
