#!/usr/bin/env python3
"""neardup against datasketch and rensa: whole-process dedup on one generated news corpus.

Method. `neardup synth` writes a news-like corpus (default 20,000 documents of 200-600 words,
10% of them copies of an earlier document: exact copies, light edits, blog reposts, excerpts and
digests) and a truth file naming each copy's source. Each tool then runs its whole dedup as a
separate process: read the JSON Lines, shingle, sign, index, query, verify every candidate pair
exactly, and write the verified pairs as JSON Lines. For each process we report the wall time
(start to exit, so reading the corpus and writing the pairs are included), its peak resident
memory (ru_maxrss from `os.wait4`, for exactly that child), the pairs it reported, and its recall
against the known copies: the share of truth pairs {source, derived} among the reported pairs,
over all truth pairs and over the non-digest ones (a digest holds about half of each of two
stories, so no Jaccard threshold is meant to find it). Each tool runs --repeat times (3) and its
fastest run is reported, every tool alike; all the wall times are in results.json.

Fairness. Same corpus and the same settings for everyone: word 5-gram shingles (the Python
workers lower-case the text and take `\\w+` words; neardup uses its own Unicode word tokenizer),
128 permutations, one Jaccard threshold (--threshold, 0.5), and exact verification of every
candidate on the shingle sets, so every tool reports verified pairs. Two differences are by
design and stated in the table: neardup also reports pairs where 60% of one document's shingles
are inside the other (its containment search, which is what it is for), so it reports more
pairs and its time includes that work; and neardup runs its stages on every core while the
Python workers shingle and verify on one (the CPU seconds are in results.json and in the progress
lines, next to the wall time that the table reports).

rensa runs three ways:
  * RMinHash + RMinHashLSH + verify: the workflow of rensa's README (`RMinHash.from_token_sets`,
    `insert_many`, `query_all`). Every shingle is hashed; RENSA_RHO_TOKEN_BUDGET does not apply.
  * the rho sketch (`digest_matrix_from_token_sets_rho`) with RENSA_RHO_TOKEN_BUDGET=0, which
    hashes every shingle ("full hashing"),
  * the rho sketch with the variable unset: rensa's default token budget samples a few shingles
    of each long document (15 at 128 permutations in rensa 0.5.0) and densifies the empty slots.
  Both rho runs use rensa's own batch dedup, `RMinHashLSH.query_duplicate_flags_matrix_one_shot`
  (the path of rensa's own benchmark, with its rho band folding and sparse checks). It returns a
  flag per document, not pairs, so the worker pairs the flagged documents that share an LSH band
  of the rho signatures (same bands x rows) and verifies those pairs exactly like the others: a
  copy that rensa did not flag is not found, and no unflagged document is added.
  rensa's LSH needs `num_bands` and has no default; we give it the divisor b of 128 whose
  S-curve knee (1/b)^(1/r), r = 128/b, is nearest the threshold (32 bands of 4 rows at 0.5).
  datasketch picks its own bands and rows from the threshold (25 x 5 at 0.5; see its info line).

Other corpora. `--synth-args "..."` passes more options to `neardup synth` (for instance
`--synth-args "--style phrases"` for the shared-phrase corpus, `--synth-args "--sites 20
--syndicated 0.05"` for templated news sites; not --docs, --seed, --derived, --out or --truth, which
the script gives); `--corpus FILE --truth FILE` runs on a corpus made
elsewhere (a truth file in the scorer's format; its `bodies`, if any, are not used here: recall is
over its pairs). The corpus options are recorded in results.json.

Usage: python3 benches/peers.py [--docs 20000] [--seed 1] [--threshold 0.5] [--workdir DIR]
                                 [--venv DIR] [--skip-build] [--synth-args ARGS]
                                 [--corpus FILE --truth FILE]
Creates (or reuses) a venv, default target/peers-venv, installs datasketch and rensa from PyPI,
builds neardup with `cargo build --release` unless --skip-build, and works in --workdir (default
target/peers): the corpus, truth, each tool's pairs and log, results.json and results.md.
Exits 0 when neardup itself ran, whatever happened to the others.
"""
import argparse
import collections
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORD = re.compile(r"\w+")
K = 5  # words per shingle
NUM_PERM = 128
SEED = 42  # the MinHash seed of the rensa runs (datasketch uses its own default, 1)
CONTAINMENT = 0.6  # neardup's default --containment, reported as such
PACKAGES = ("datasketch", "rensa")


# --- shared by the Python workers (they run in the venv's interpreter) -----------------------

def shingles(text):
    """The set of word 5-grams of a text: lower-cased `\\w+` words joined by spaces."""
    words = WORD.findall(text.lower())
    if len(words) < K:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + K]) for i in range(len(words) - K + 1)}


def read_corpus(path):
    """Ids and shingle sets of a JSON Lines corpus."""
    ids, sets = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            ids.append(record["id"])
            sets.append(shingles(record["text"]))
    return ids, sets


def candidate_pairs(neighbour_lists):
    """Unordered index pairs (i < j) from, for each document i, the keys found for it."""
    pairs = set()
    for i, found in enumerate(neighbour_lists):
        for j in found:
            if j != i:
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def verify_and_write(ids, sets, candidates, threshold, out):
    """Writes the candidate pairs whose exact Jaccard on the shingle sets reaches the threshold."""
    verified = 0
    with open(out, "w", encoding="utf-8") as f:
        for i, j in sorted(candidates):
            a, b = sets[i], sets[j]
            inter = len(a & b)
            union = len(a) + len(b) - inter
            if union and inter / union >= threshold:
                f.write(json.dumps({"a": ids[i], "b": ids[j]}) + "\n")
                verified += 1
    return verified


def info(marks, **fields):
    """One line of facts for the driver, which shows it after the run (stdout goes to a log).
    `marks` are the perf_counter readings at the start, after reading and shingling, and before
    and after verifying: the seconds of each stage inside the worker."""
    start, read, signed, done = marks
    fields["stages_s"] = (f"read+shingle {read - start:.2f} / sign+index+query {signed - read:.2f}"
                          f" / verify+write {done - signed:.2f}")
    print("info: " + ", ".join(f"{k} {v}" for k, v in fields.items()), flush=True)


def rensa_bands(threshold):
    """The number of bands b (b divides 128, r = 128 / b rows) whose knee (1/b)^(1/r) is nearest
    the threshold: the usual rule for choosing LSH parameters when the library has no default."""
    options = [b for b in range(1, NUM_PERM + 1) if NUM_PERM % b == 0]
    return min(options, key=lambda b: abs((1 / b) ** (b / NUM_PERM) - threshold))


def worker_datasketch(corpus, out, threshold):
    from datasketch import MinHash, MinHashLSH
    start = time.perf_counter()
    ids, sets = read_corpus(corpus)
    read = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    signatures = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([g.encode("utf-8") for g in s])
        lsh.insert(i, m)
        signatures.append(m)
    candidates = candidate_pairs(lsh.query(m) for m in signatures)
    signed = time.perf_counter()
    verified = verify_and_write(ids, sets, candidates, threshold, out)
    marks = (start, read, signed, time.perf_counter())
    info(marks, bands=f"{lsh.b}x{lsh.r}", candidates=len(candidates), verified=verified)


def worker_rensa(corpus, out, threshold):
    """rensa's README workflow: an RMinHash per document (every shingle hashed), RMinHashLSH."""
    from rensa import RMinHash, RMinHashLSH
    start = time.perf_counter()
    ids, sets = read_corpus(corpus)
    read = time.perf_counter()
    signatures = RMinHash.from_token_sets([list(s) for s in sets], NUM_PERM, SEED)
    bands = rensa_bands(threshold)
    lsh = RMinHashLSH(threshold, NUM_PERM, bands)
    lsh.insert_many(signatures)
    candidates = candidate_pairs(lsh.query_all(signatures))
    signed = time.perf_counter()
    verified = verify_and_write(ids, sets, candidates, threshold, out)
    marks = (start, read, signed, time.perf_counter())
    info(marks, bands=f"{bands}x{NUM_PERM // bands}", candidates=len(candidates),
         verified=verified)


def worker_rensa_rho(corpus, out, threshold):
    """rensa's rho sketch (RENSA_RHO_TOKEN_BUDGET decides full hashing or sampling) and its
    one-shot duplicate flags; the flagged documents that share a band make the candidate pairs."""
    from rensa import RMinHash, RMinHashLSH
    start = time.perf_counter()
    ids, sets = read_corpus(corpus)
    read = time.perf_counter()
    matrix = RMinHash.digest_matrix_from_token_sets_rho([list(s) for s in sets], NUM_PERM, SEED)
    bands = rensa_bands(threshold)
    rows = NUM_PERM // bands
    lsh = RMinHashLSH(threshold, NUM_PERM, bands)
    flags = lsh.query_duplicate_flags_matrix_one_shot(matrix)
    flagged = [i for i, flag in enumerate(flags) if flag]
    signatures = matrix.to_rows()
    candidates = set()
    for band in range(bands):
        buckets = collections.defaultdict(list)
        for i in flagged:
            buckets[tuple(signatures[i][band * rows:(band + 1) * rows])].append(i)
        for members in buckets.values():
            candidates.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    signed = time.perf_counter()
    verified = verify_and_write(ids, sets, candidates, threshold, out)
    marks = (start, read, signed, time.perf_counter())
    filled = statistics.median(matrix.get_rho_non_empty_counts() or [NUM_PERM])
    info(marks, budget=os.environ.get("RENSA_RHO_TOKEN_BUDGET", "default"),
         slots_filled_median=f"{filled:g}/{NUM_PERM}", bands=f"{bands}x{rows}",
         flagged=len(flagged), candidates=len(candidates), verified=verified)


WORKERS = {"datasketch": worker_datasketch, "rensa": worker_rensa, "rensa-rho": worker_rensa_rho}


# --- the driver (runs under any python3; imports nothing from the venv) ----------------------

def run_measured(cmd, env, log_path):
    """Runs one process with its output in a log; returns wall seconds, CPU seconds (user +
    system), peak RSS in MB of exactly that child (os.wait4), and the exit code."""
    with open(log_path, "w") as log:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # already reaped; keeps Popen quiet
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024.0, "exit_code": child.returncode}


def tail(path, chars=1500):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()[-chars:].strip()


def info_line(log_path):
    lines = [ln for ln in tail(log_path, 4000).splitlines() if ln.startswith("info: ")]
    return lines[-1][len("info: "):] if lines else ""


def unordered(a, b):
    return (a, b) if a <= b else (b, a)


def score(pairs_path, truth):
    """(pairs reported, recall over all truth pairs, recall over the non-digest ones)."""
    found = set()
    with open(pairs_path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            found.add(unordered(record["a"], record["b"]))

    def recall(subset):
        hits = sum(unordered(t["source"], t["derived"]) in found for t in subset)
        return hits / len(subset) if subset else float("nan")

    return len(found), recall(truth), recall([t for t in truth if t["kind"] != "digest"])


def setup_venv(path):
    """Creates the venv unless it exists and installs each package on its own. Returns the
    venv's python (or None), {package: version}, and {package: error} for what failed."""
    python = os.path.join(path, "bin", "python")
    versions, errors = {}, {}
    if not os.path.exists(python):
        made = subprocess.run([sys.executable, "-m", "venv", path],
                              capture_output=True, text=True)
        if made.returncode != 0:
            return None, versions, {p: "venv: " + made.stderr.strip()[-800:] for p in PACKAGES}
    for package in PACKAGES:
        done = subprocess.run([python, "-m", "pip", "install", "-q",
                               "--disable-pip-version-check", package],
                              capture_output=True, text=True)
        if done.returncode != 0:
            errors[package] = "pip: " + (done.stderr or done.stdout).strip()[-800:]
            continue
        asked = subprocess.run([python, "-c", "import importlib.metadata as m; "
                                f"import {package}; print(m.version({package!r}))"],
                               capture_output=True, text=True)
        if asked.returncode != 0:
            errors[package] = "import: " + asked.stderr.strip()[-800:]
        else:
            versions[package] = asked.stdout.strip()
    return python, versions, errors


def markdown_table(results, reference):
    lines = ["| tool | time (s) | peak RSS (MB) | pairs | recall (all) | recall (non-digest) "
             "| time vs neardup | memory vs neardup |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['tool']} | failed | | | | | | |")
            continue
        if reference:
            ratios = (f"{r['seconds'] / reference['seconds']:.1f}x",
                      f"{r['peak_mb'] / reference['peak_mb']:.1f}x")
        else:
            ratios = ("n/a", "n/a")
        lines.append(f"| {r['tool']} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | {r['pairs']} | "
                     f"{r['recall']:.3f} | {r['recall_non_digest']:.3f} | {ratios[0]} | "
                     f"{ratios[1]} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=20000, help="documents in the corpus")
    ap.add_argument("--seed", type=int, default=1, help="seed of `neardup synth`")
    ap.add_argument("--threshold", type=float, default=0.5, help="Jaccard threshold for all")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "target", "peers"))
    ap.add_argument("--venv", default=os.path.join(ROOT, "target", "peers-venv"))
    ap.add_argument("--skip-build", action="store_true", help="use target/release/neardup as is")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each tool; the fastest is reported (default 3)")
    ap.add_argument("--synth-args", default="",
                    help="more options for `neardup synth`, e.g. \"--style phrases\"")
    ap.add_argument("--corpus", help="run on this JSON Lines corpus instead of generating one")
    ap.add_argument("--truth", help="the truth file of --corpus (the scorer's TRUTH.json)")
    ap.add_argument("--worker", nargs=3, metavar=("TOOL", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not 0.0 < args.threshold <= 1.0:
        ap.error("--threshold must be in (0, 1]")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if bool(args.corpus) != bool(args.truth):
        ap.error("--corpus and --truth go together")
    if args.corpus and args.synth_args:
        ap.error("--synth-args makes a corpus; --corpus brings one")

    if args.worker:
        tool, corpus, out = args.worker
        WORKERS[tool](corpus, out, args.threshold)
        return 0

    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    neardup = os.path.join(ROOT, "target", "release", "neardup")
    if not args.skip_build:
        print("building neardup (cargo build --release)", flush=True)
        if subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT).returncode != 0:
            print("cargo build failed", file=sys.stderr)
            return 1
    if not os.access(neardup, os.X_OK):
        print(f"no neardup binary at {neardup}", file=sys.stderr)
        return 1

    if args.corpus:
        corpus, truth_path = os.path.abspath(args.corpus), os.path.abspath(args.truth)
        with open(corpus, encoding="utf-8") as f:
            args.docs = sum(1 for line in f if line.strip())
        corpus_made = {"corpus": corpus, "truth": truth_path}
    else:
        corpus = os.path.join(workdir, "corpus.jsonl")
        truth_path = os.path.join(workdir, "truth.json")
        synth = [neardup, "synth", "--docs", str(args.docs), "--seed", str(args.seed),
                 "--derived", "0.1", "--out", corpus, "--truth", truth_path]
        synth += shlex.split(args.synth_args)
        made = subprocess.run(synth)
        if made.returncode != 0:
            print("neardup synth failed", file=sys.stderr)
            return 1
        corpus_made = {"synth": " ".join(shlex.quote(c) for c in synth[1:])}
    with open(truth_path, encoding="utf-8") as f:
        truth = json.load(f)["pairs"]
    kinds = collections.Counter(t["kind"] for t in truth)

    print(f"setting up the venv {args.venv} (pip install {' '.join(PACKAGES)})", flush=True)
    python, versions, install_errors = setup_venv(args.venv)
    for package, error in install_errors.items():
        print(f"{package}: not available: {error}", flush=True)
    print(f"corpus: {args.docs} documents, {os.path.getsize(corpus) / 1e6:.1f} MB, "
          f"{len(truth)} known copies ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
          f"; threshold {args.threshold}, {NUM_PERM} permutations, word {K}-grams"
          + "".join(f"; {p} {v}" for p, v in versions.items()), flush=True)

    env = {k: v for k, v in os.environ.items() if k != "RENSA_RHO_TOKEN_BUDGET"}
    t = str(args.threshold)
    me = os.path.abspath(__file__)

    def worker(name):
        return [python, me, "--threshold", t, "--worker", name, corpus, "{out}"]

    # (label, package it needs, command, environment)
    runs = [
        (f"neardup (Jaccard >= {t} or containment >= {CONTAINMENT})", None,
         [neardup, "dedup", corpus, "--out-pairs", "{out}", "--jaccard", t,
          "--containment", str(CONTAINMENT), "--shingle-size", str(K),
          "--num-perm", str(NUM_PERM), "--progress", "never"], env),
        ("datasketch MinHash + MinHashLSH + verify", "datasketch", worker("datasketch"), env),
        ("rensa RMinHash + RMinHashLSH + verify (every shingle hashed; budget n/a)", "rensa",
         worker("rensa"), env),
        ("rensa rho, full hashing (RENSA_RHO_TOKEN_BUDGET=0) + one-shot LSH + verify", "rensa",
         worker("rensa-rho"), dict(env, RENSA_RHO_TOKEN_BUDGET="0")),
        ("rensa rho, default sampling (budget unset) + one-shot LSH + verify", "rensa",
         worker("rensa-rho"), env),
    ]
    results = []
    for index, (label, package, cmd, run_env) in enumerate(runs):
        if package and package not in versions:
            results.append({"tool": label, "error": f"{package} not installed: "
                                                    f"{install_errors.get(package, '?')}"})
            continue
        out = os.path.join(workdir, f"run{index}.pairs.jsonl")
        log = os.path.join(workdir, f"run{index}.log")
        # Every tool runs --repeat times; the fastest run is reported (the others only add the
        # machine's noise), and every run's wall time is kept in results.json.
        runs_measured = []
        for _ in range(args.repeat):
            measured = run_measured([c.replace("{out}", out) for c in cmd], run_env, log)
            runs_measured.append(measured)
            if measured["exit_code"] != 0:
                break
        measured = min(runs_measured, key=lambda m: (m["exit_code"] != 0, m["seconds"]))
        measured = dict(measured, all_seconds=[round(m["seconds"], 3) for m in runs_measured])
        if measured["exit_code"] != 0:
            error = f"exit {measured['exit_code']}: {tail(log)}"
            print(f"{label}: FAILED ({error})", flush=True)
            results.append({"tool": label, "error": error, **measured})
            continue
        pairs, recall_all, recall_nd = score(out, truth)
        row = {"tool": label, **measured, "pairs": pairs, "recall": recall_all,
               "recall_non_digest": recall_nd, "info": info_line(log), "pairs_file": out}
        results.append(row)
        print(f"{label}: {measured['seconds']:.2f} s wall, {measured['cpu_seconds']:.2f} s CPU, "
              f"{measured['peak_mb']:.0f} MB, {pairs} pairs, recall {recall_all:.3f} "
              f"({recall_nd:.3f} non-digest)" + (f"; {row['info']}" if row["info"] else ""),
              flush=True)

    reference = results[0] if "error" not in results[0] else None
    table = markdown_table(results, reference)
    print()
    print(table)
    with open(os.path.join(workdir, "results.md"), "w", encoding="utf-8") as f:
        f.write(table + "\n")
    with open(os.path.join(workdir, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"docs": args.docs, "seed": args.seed, "threshold": args.threshold,
                   **corpus_made,
                   "num_perm": NUM_PERM, "shingle_words": K, "cores": os.cpu_count(),
                   "truth_pairs": len(truth), "truth_kinds": dict(kinds), "versions": versions,
                   "results": results}, f, indent=1)
    print(f"\nwrote {os.path.join(workdir, 'results.md')} and results.json", flush=True)
    return 0 if reference else 1


if __name__ == "__main__":
    sys.exit(main())
