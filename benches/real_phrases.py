#!/usr/bin/env python3
"""A shared-phrase corpus of real news text, with known copies, for neardup and its peers.

Why. `neardup synth --style phrases` stitches articles from a pool of generated phrases. Real news
shares its phrases differently: the common 5-grams of English ("one of the most", "said in a
statement") recur inside phrases that differ, and the phrase lengths and words are a language's,
not a generator's. This script stitches documents from the phrases of the 350 real ABC news
articles of the Lee corpus (gensim's test data, fetched with `pip download` once), so that most of
a document's 5-grams recur in hundreds of others, and adds known copies:

  * `duplicate`: an exact copy, or one with a word changed in every hundred or so (duplicate);
  * `excerpt`: a contiguous 60-90% of a document's sentences (derivative, the excerpt derived);
  * `repost`: the first 55-80% of a document's sentences under a comment of one or two sentences
    stitched from the same pool (derivative, the repost derived; the comment is its added text).

Each document is 200-600 words of sentences, each sentence a run of one to three phrases of the
pool (a phrase: a clause of a Lee sentence, cut at commas and semicolons, or 8-14 words of a longer
one). The truth is in the scorer's format (`../shared/tools/score_pairs.py`); the repost's added
spans and the dropped sentences are given.

Usage: python3 benches/real_phrases.py [--docs 20000] [--seed 1] [--derived 0.1]
                                       [--neardup BIN] [--workdir DIR] [--no-score]
It writes DIR/real-phrases-DOCS-SEED.jsonl and .truth.json, runs `neardup dedup` on them (pairs,
kept) and prints the scorer's figures; `python3 benches/peers.py --corpus FILE --truth FILE` then
times the peers on the same corpus.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from real_sites import SCORER, lee_texts, sentences  # noqa: E402


def phrase_pool(texts):
    """The clauses of every sentence of `texts`, long ones cut into pieces of 8-14 words."""
    rng = random.Random(0)
    pool = []
    for text in texts:
        for sentence in sentences(text):
            for clause in re.split(r'(?<=[,;:])\s+', sentence.rstrip('.!?')):
                words = clause.split()
                while len(words) > 14:
                    cut = rng.randint(8, 14)
                    pool.append(words[:cut])
                    words = words[cut:]
                if len(words) >= 3:
                    pool.append(words)
    return pool


def stitched(rng, pool, words):
    """Sentences of one to three pool phrases each, `words` words or a little more."""
    out, n = [], 0
    while n < words:
        parts = [rng.choice(pool) for _ in range(rng.randint(1, 3))]
        sentence = ' '.join(' '.join(p).strip(',;:') for p in parts)
        sentence = sentence[0].upper() + sentence[1:]
        out.append(sentence + '.')
        n += sum(len(p) for p in parts)
    return out


def edited(rng, text):
    """`text` with about one word in a hundred changed (case, or a word swapped for another)."""
    words = text.split(' ')
    for _ in range(max(1, len(words) // 100)):
        i = rng.randrange(len(words))
        words[i] = words[i].upper() if rng.random() < 0.5 else rng.choice(words)
    return ' '.join(words)


def corpus(pool, docs, derived, seed):
    """(documents, truth) of `docs` documents, `derived` of them copies of the others."""
    rng = random.Random(seed)
    n_copies = int(docs * derived)
    originals = docs - n_copies
    texts = [stitched(rng, pool, rng.randint(200, 600)) for _ in range(originals)]
    pages = [{'id': f'd{i:06d}', 'text': ' '.join(s)} for i, s in enumerate(texts)]
    pairs = []
    for c in range(n_copies):
        i = rng.randrange(originals)
        src, sents = pages[i]['id'], texts[i]
        cid = f'c{c:06d}'
        r = rng.random()
        if r < 0.3:
            text = pages[i]['text'] if rng.random() < 0.5 else edited(rng, pages[i]['text'])
            pairs.append({'source': src, 'derived': cid, 'relation': 'duplicate',
                          'kind': 'duplicate', 'added': None, 'dropped': None})
        elif r < 0.65:
            keep = max(2, int(len(sents) * rng.uniform(0.6, 0.9)))
            start = rng.randint(0, len(sents) - keep)
            text = ' '.join(sents[start:start + keep])
            pairs.append({'source': src, 'derived': cid, 'relation': 'derivative',
                          'kind': 'excerpt', 'added': None, 'dropped': None})
        else:
            keep = max(2, int(len(sents) * rng.uniform(0.55, 0.8)))
            comment = ' '.join(stitched(rng, pool, rng.randint(15, 40)))
            body = ' '.join(sents[:keep])
            text = comment + '\n\n' + body
            src_text = pages[i]['text']
            dropped_from = len(body) + 1
            pairs.append({'source': src, 'derived': cid, 'relation': 'derivative',
                          'kind': 'repost', 'added': [[0, len(comment)]],
                          'dropped': [[dropped_from, len(src_text)]]
                          if dropped_from < len(src_text) else []})
        pages.append({'id': cid, 'text': text})
    order = list(range(len(pages)))
    rng.shuffle(order)
    return [pages[k] for k in order], {'pairs': pairs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--docs', type=int, default=20000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--derived', type=float, default=0.1)
    ap.add_argument('--neardup', default=os.path.join(HERE, '..', 'target', 'release', 'neardup'))
    ap.add_argument('--workdir', default=os.path.join(HERE, '..', 'target', 'real-phrases'))
    ap.add_argument('--no-score', action='store_true', help='write the corpus only')
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    articles, extra = lee_texts(args.workdir)
    pool = phrase_pool(articles + extra)
    pages, truth = corpus(pool, args.docs, args.derived, args.seed)
    stem = os.path.join(args.workdir, f'real-phrases-{args.docs}-{args.seed}')
    with open(stem + '.jsonl', 'w', encoding='utf-8') as f:
        for p in pages:
            f.write(json.dumps(p) + '\n')
    with open(stem + '.truth.json', 'w', encoding='utf-8') as f:
        json.dump(truth, f)
    print(f'{stem}.jsonl: {len(pages)} documents, {len(truth["pairs"])} known copies, '
          f'pool of {len(pool)} phrases')
    if args.no_score:
        return
    pairs, kept = stem + '.pairs.jsonl', stem + '.kept.jsonl'
    started = time.monotonic()
    run = subprocess.run([args.neardup, 'dedup', stem + '.jsonl', '--out-pairs', pairs,
                          '--out-kept', kept, '--passages', '--progress', 'never'],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f'neardup: exit {run.returncode}: {run.stderr.strip()}')
    print(f'neardup dedup --passages: {time.monotonic() - started:.2f} s; '
          + run.stderr.strip().splitlines()[-1])
    out = subprocess.run([sys.executable, SCORER, stem + '.jsonl', stem + '.truth.json', pairs,
                          '--kept', kept], capture_output=True, text=True, check=True)
    print(out.stdout.strip())


if __name__ == '__main__':
    main()
