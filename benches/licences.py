#!/usr/bin/env python3
"""Real licence text: this machine's Debian copyright files and common licences, deduplicated.

usage: python3 benches/licences.py [--neardup BIN ...] [--workdir DIR]

The corpus is every /usr/share/doc/*/copyright file and every /usr/share/common-licenses/* text
(about 840 on a Debian machine with a build toolchain), one JSON line each, in path order. Many of
them are exact copies (the packages of one source ship one file), and most of the rest are a
header of their own (names, years, upstream) around the standard licences they quote: distinct
documents that share the licences' text, not copies of each other.

For each binary it prints one row: pairs by relation, documents removed by --out-kept, and the
distinct texts lost (removed documents none of whose exact copies is kept). Give --neardup twice to
compare two binaries on the same corpus. The machine's packages decide the corpus, so figures are
comparable only from one machine.
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus(path):
    files = sorted(glob.glob('/usr/share/doc/*/copyright')) + sorted(glob.glob('/usr/share/common-licenses/*'))
    texts = {}
    with open(path, 'w', encoding='utf-8') as out:
        for f in files:
            if not os.path.isfile(f):
                continue
            with open(f, encoding='utf-8', errors='replace') as fh:
                text = fh.read()
            texts[f] = hashlib.sha256(text.encode()).hexdigest()
            out.write(json.dumps({'id': f, 'text': text}) + '\n')
    return texts


def run(binary, data, texts, workdir, tag):
    pairs, kept = (os.path.join(workdir, f'{tag}.{x}.jsonl') for x in ('pairs', 'kept'))
    out = subprocess.run([binary, 'dedup', data, '--out-pairs', pairs, '--out-kept', kept,
                          '--progress', 'never'], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f'{binary}: exit {out.returncode}: {out.stderr.strip()}')
    relations = collections.Counter()
    common = 0
    with open(pairs, encoding='utf-8') as fh:
        for line in fh:
            r = json.loads(line)
            if 'relation' in r and 'a' in r:
                relations[r['relation']] += 1
                common += bool(r.get('common_text'))
    with open(kept, encoding='utf-8') as fh:
        kept_ids = {json.loads(line)['id'] for line in fh}
    kept_texts = {texts[k] for k in kept_ids}
    lost = len(set(texts.values()) - kept_texts)
    return {
        'binary': binary,
        'documents': len(texts),
        'distinct texts': len(set(texts.values())),
        'pairs': sum(relations.values()),
        'duplicate': relations['duplicate'],
        'derivative': relations['derivative'],
        'overlap': relations['overlap'],
        'of them common text': common,
        'removed': len(texts) - len(kept_ids),
        'distinct texts lost': lost,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--neardup', action='append',
                    help='binary to run (repeatable; default: target/release/neardup)')
    ap.add_argument('--workdir', default='/tmp/neardup-licences')
    args = ap.parse_args()
    binaries = args.neardup or [os.path.join(ROOT, 'target', 'release', 'neardup')]
    os.makedirs(args.workdir, exist_ok=True)
    data = os.path.join(args.workdir, 'licences.jsonl')
    texts = corpus(data)
    if not texts:
        sys.exit('no /usr/share/doc/*/copyright files on this machine')
    rows = [run(b, data, texts, args.workdir, f'run{i}') for i, b in enumerate(binaries)]
    keys = list(rows[0])
    print('| ' + ' | '.join(keys) + ' |')
    print('|' + '---|' * len(keys))
    for r in rows:
        print('| ' + ' | '.join(str(r[k]) for k in keys) + ' |')


if __name__ == '__main__':
    main()
