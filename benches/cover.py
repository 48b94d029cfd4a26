#!/usr/bin/env python3
"""Scores `neardup check`'s covers of pages built from several sources, on a synth corpus with
digests: builds an index of the corpus's originals (every document that is derived from none),
checks its digests against it, and compares each (page, source) record with the truth's `parts`.

usage: cover.py NEARDUP CORPUS.jsonl TRUTH.json WORKDIR [more check options, e.g. --part-floor off]
       cover.py NEARDUP CORPUS.jsonl TRUTH.json WORKDIR --dedup [more dedup options]

With --dedup, the whole corpus is deduplicated instead (`neardup dedup --out-pairs`), and each
digest's cover records (its pairs with a `cover` object, the page derived) are scored the same
way; `false_covers` counts the pages with cover records that are no digest of the truth.

e.g.   neardup synth --docs 20000 --digest-sources 2-4 --seed 3 --out dg.jsonl --truth dg.json
       python3 benches/cover.py target/release/neardup dg.jsonl dg.json /tmp/cover

Prints, as JSON:
  recall        (page, source) pairs of the truth that check reports;
  precision     of the sources it names for a digest, those that contributed to it;
  share_err_*   |the cover's share of a source - the share of the page's words (of its body, on
                templated pages) in that source's parts|, over the sources found;
  span_*        char-level precision, recall and F1 of each source's cover spans against its
                parts (whitespace not counted);
  by_sources    per number of sources: pages, pages with every source found, pages with a cover.
The index is built once per WORKDIR and reused.
"""
import json, re, subprocess, sys, os, unicodedata

def shingle_words(text):
    return re.findall(r'\w+', unicodedata.normalize('NFKC', text).lower())

def byte_to_char(text):
    m, b = {}, 0
    for i, ch in enumerate(text):
        m[b] = i
        b += len(ch.encode('utf-8'))
    m[b] = len(text)
    return m

def chars(spans, text):
    s = set()
    for a, b in spans:
        s.update(i for i in range(a, b) if not text[i].isspace())
    return s

def main():
    nd, corpus, truth_p, work = sys.argv[1:5]
    extra = sys.argv[5:]
    os.makedirs(work, exist_ok=True)
    truth = json.load(open(truth_p))
    derived = {p['derived'] for p in truth['pairs']}
    digests = {}
    for p in truth['pairs']:
        if p['kind'] == 'digest':
            digests.setdefault(p['derived'], []).append(p)
    docs = {}
    with open(f'{work}/orig.jsonl', 'w') as o, open(f'{work}/digests.jsonl', 'w') as q:
        for line in open(corpus):
            d = json.loads(line)
            docs[d['id']] = d['text']
            if d['id'] in digests:
                q.write(line)
            elif d['id'] not in derived:
                o.write(line)
    got = {}
    if '--dedup' in extra:
        extra = [x for x in extra if x != '--dedup']
        pairs_p = f'{work}/pairs.jsonl'
        subprocess.run([nd, 'dedup', corpus, '--out-pairs', pairs_p] + extra, check=True,
                       stderr=subprocess.DEVNULL)
        for line in open(pairs_p):
            r = json.loads(line)
            if r.get('cover'):
                page = r['derived']
                got.setdefault(page, {})[r['b'] if page == r['a'] else r['a']] = r
    else:
        idx = f'{work}/orig.ndx'
        if not os.path.exists(idx):
            subprocess.run([nd, 'index', 'build', '--index', idx, f'{work}/orig.jsonl'],
                           check=True, stderr=subprocess.DEVNULL)
        out = subprocess.run([nd, 'check', '--index', idx, f'{work}/digests.jsonl', '--json']
                             + extra, capture_output=True, text=True)
        for line in out.stdout.splitlines():
            r = json.loads(line)
            got.setdefault(r['a'], {})[r['b']] = r
    pairs = found = named = wrong = 0
    share_err = []
    tp = fp = fn = 0
    by_n = {}
    for page, recs in digests.items():
        text = docs[page]
        b2c = byte_to_char(text)
        n = len(recs)
        k = by_n.setdefault(n, [0, 0, 0])
        k[0] += 1
        reported = got.get(page, {})
        named += len(reported)
        srcs = {t['source'] for t in recs}
        wrong += len(set(reported) - srcs)
        ok = 0
        # On a templated page the truth's share is of its body (the article), as the cover's
        # is of its content.
        body = truth.get('bodies', {}).get(page)
        total_words = len(shingle_words(body if body is not None else text))
        for t in recs:
            pairs += 1
            r = reported.get(t['source'])
            if not r:
                continue
            found += 1
            ok += 1
            truth_chars = chars(t['parts'], text)
            c = r.get('cover')
            if c is None:
                continue
            part_words = sum(len(shingle_words(text[a:b])) for a, b in t['parts'])
            share_err.append(abs(c['share'] - part_words / max(1, total_words)))
            rep = [(b2c[s], b2c[e]) for s, e in c['spans']]
            rc = chars(rep, text)
            tp += len(rc & truth_chars); fp += len(rc - truth_chars); fn += len(truth_chars - rc)
        k[1] += ok == n
        k[2] += any(r.get('cover') for r in reported.values())
    p = tp / max(1, tp + fp); rr = tp / max(1, tp + fn)
    f1 = 0 if p + rr == 0 else 2 * p * rr / (p + rr)
    share_err.sort()
    res = {
        'digests': len(digests), 'pairs': pairs, 'recall': round(found / max(1, pairs), 4),
        'precision': round((named - wrong) / max(1, named), 4),
        'share_err_max': round(share_err[-1], 4) if share_err else None,
        'share_err_p95': round(share_err[int(0.95 * (len(share_err) - 1))], 4) if share_err else None,
        'share_within_0.05': round(sum(e <= 0.05 for e in share_err) / max(1, len(share_err)), 4),
        'span_f1': round(f1, 4), 'span_precision': round(p, 4), 'span_recall': round(rr, 4),
        'false_covers': sum(1 for page in got if page not in digests),
        'by_sources': {n: {'pages': v[0], 'all_sources_found': v[1], 'with_cover': v[2]} for n, v in sorted(by_n.items())},
    }
    print(json.dumps(res, indent=1))

main()
