#!/usr/bin/env python3
"""neardup on real news text inside site templates: detection quality, scored.

Why. `neardup synth` writes its articles from a generated vocabulary; the templates it wraps them
in are ours too. This script puts real articles (the 300 ABC news stories of the Lee corpus,
which ships in gensim's test data) inside six news sites' templates, with the phenomena of a
crawl, and scores neardup's pairs and kept documents with `../shared/tools/score_pairs.py`
(bodies given, so pairs are judged on the articles' text):

  * each article on one home site: a navigation line, a byline (author, site, date), the
    article, a related-stories block quoting the first ten words of three other articles, and
    the site's footer;
  * 15% of the articles syndicated unchanged to one to three other sites (duplicates in the
    truth, every pair of copies);
  * 15% reposted onto another site: the first 55-80% of its sentences under a comment of one or
    two sentences taken once each from the 50 articles of `lee.cor` (derivatives, with the
    comment as added text and the dropped sentences as dropped text).

The related block is written two ways: `lines` (heading, then a headline a line) and `inline`
(the headlines run together on the heading's line, `; ` between them, as some text extractors
give a row of links). The `crawl` corpora (`crawl_sites`) add what a crawl adds: articles in
paragraphs, lines each site puts between them (`Advertisement`, `READ MORE:` and a headline),
an attribution line under syndicated copies, comments before and after reposts. The `briefs`
corpora are the `lines` ones on each article's first three sentences, with a line of 30 of the
site's links under each footer: the template is more of each page than the story is (about 165
words of it to 70 of story; too short for reposts, so syndicated copies only); the `shorts`,
on the first two sentences (about 45 words) under a line of 60 links (about 250 words of
template). A last corpus wraps every article in one template: distinct articles must give the
pairs of the bare articles, no more.

Usage: python3 benches/real_sites.py [--neardup BIN] [--seeds 1,2,3] [--workdir DIR]
The gensim wheel is fetched with `pip download` (PyPI) into the work directory once.
"""
import argparse
import glob
import json
import os
import random
import re
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCORER = os.path.join(HERE, '..', '..', 'shared', 'tools', 'score_pairs.py')

SITE_NAMES = ['Daily Herald', 'Coastal Times', 'Metro Wire', 'Valley Gazette', 'Northern Post',
              'City Ledger']
REPORTERS = ['Jane Smith', 'Tom Brown', 'Alice Wong', 'Raj Patel', 'Maria Garcia', 'Liam Kelly',
             'Sara Cohen', 'Ben Ito']
SECTIONS = ['News', 'Sport', 'Business', 'Politics', 'World', 'Entertainment', 'Weather', 'Video',
            'Opinion', 'Lifestyle', 'Technology', 'Health']


def lee_texts(workdir):
    """The Lee background articles and the 50 `lee.cor` ones, from gensim's wheel."""
    data = os.path.join(workdir, 'gensim', 'test', 'test_data')
    if not os.path.exists(os.path.join(data, 'lee_background.cor')):
        subprocess.run([sys.executable, '-m', 'pip', 'download', 'gensim', '--no-deps', '-q',
                        '-d', workdir], check=True)
        wheel = sorted(glob.glob(os.path.join(workdir, 'gensim-*.whl')))[-1]
        with zipfile.ZipFile(wheel) as z:
            for name in ('lee_background.cor', 'lee.cor'):
                z.extract(f'gensim/test/test_data/{name}', workdir)

    def read(name):
        with open(os.path.join(data, name), encoding='latin-1') as f:
            return [line.strip() for line in f if line.strip()]
    return read('lee_background.cor'), read('lee.cor')


def sentences(text):
    return [s for s in re.split(r'(?<=[.!?])\s+', text) if s]


def comment_pool(extra, rng):
    """The sentences of the `lee.cor` articles, shuffled: reposts' comments, each used once."""
    comments = [s for t in extra for s in sentences(t)]
    rng.shuffle(comments)
    return comments


SITE_LINKS = ['About us', 'Our team', 'Jobs', 'Press releases', 'Newsletters', 'Podcasts',
              'Events', 'Puzzles', 'Crosswords', 'Weather radar', 'Traffic', 'Obituaries',
              'Classifieds', 'Real estate', 'Motoring', 'Travel', 'Food and wine', 'Horoscopes',
              'TV guide', 'Letters to the editor', 'Photo galleries', 'Live blogs', 'Archive',
              'Accessibility', 'Cookie settings', 'Help centre', 'Manage subscription',
              'Gift a subscription', 'Today\'s paper', 'Apps']


def site_chrome(rng, links=0):
    """Each of the six sites' (name, navigation line, footer); with `links`, the footer ends with
    a line of that many of the site's links."""
    sites = []
    for k, name in enumerate(SITE_NAMES):
        nav = f'{name} | ' + ' | '.join(rng.sample(SECTIONS, 8)) + ' | Subscribe | Log in'
        footer = (f'Get the {name} morning briefing delivered to your inbox. '
                  f'Follow {name} on social media for live coverage and breaking alerts. '
                  + rng.choice(['Our journalism is supported by readers like you. ',
                                'Support independent local reporting today. '])
                  + f'Copyright {2015 + k} {name} Pty Ltd. All rights reserved. '
                  + 'Privacy | Terms | Contact | Advertise | Careers | Corrections | Site map')
        if links:
            chosen = (rng.sample(SITE_LINKS, links) if links <= len(SITE_LINKS)
                      else [rng.choice(SITE_LINKS) for _ in range(links)])
            footer += '\n' + ' | '.join(chosen)
        sites.append((name, nav, footer))
    return sites


def six_sites(articles, extra, seed, style, links=0):
    """(pages, truth) of the six-site corpus; `style` is `lines` or `inline`; `links`, the
    footer's line of links (`site_chrome`)."""
    rng = random.Random(seed)
    comments = comment_pool(extra, rng)
    sites = site_chrome(rng, links)
    pages, bodies, pairs = [], {}, []

    def headline(text):
        return ' '.join(sentences(text)[0].split()[:10])

    def page(pid, site, parts):
        """Writes the page of `parts` ((text, tag) in order) on `site`; the parts' char spans."""
        name, nav, footer = sites[site]
        byline = f'By {rng.choice(REPORTERS)} | {name} | {rng.randint(1, 28)} March 2024'
        heads = [headline(articles[rng.randrange(len(articles))]) for _ in range(3)]
        related = 'Related stories: ' + ('; '.join(heads) if style == 'inline'
                                         else '\n' + '\n'.join(heads))
        text, body, spans = f'{nav}\n\n{byline}\n\n', '', []
        for i, (part, tag) in enumerate(parts):
            if i:
                text, body = text + ' ', body + ' '
            spans.append((len(text), len(text) + len(part), tag))
            text, body = text + part, body + part
        text += f'\n\n{related}\n\n{footer}'
        pages.append({'id': pid, 'text': text})
        bodies[pid] = body
        return spans

    home = [rng.randrange(len(sites)) for _ in articles]
    original = {i: page(f'a{i:03d}', home[i], [(s, 'body') for s in sentences(a)])
                for i, a in enumerate(articles)}
    for i, a in enumerate(articles):
        others = [s for s in range(len(sites)) if s != home[i]]
        r = rng.random()
        if r < 0.15:
            group = [f'a{i:03d}']
            for s in rng.sample(others, rng.randint(1, 3)):
                group.append(f'a{i:03d}-syn{s}')
                page(group[-1], s, [(x, 'body') for x in sentences(a)])
            pairs += [{'source': x, 'derived': y, 'relation': 'duplicate', 'kind': 'syndicated',
                       'added': None, 'dropped': None}
                      for n, x in enumerate(group) for y in group[n + 1:]]
        elif r < 0.30 and len(sentences(a)) >= 4 and comments:
            sents = sentences(a)
            keep = max(3, int(len(sents) * rng.uniform(0.55, 0.8)))
            comment = ' '.join(comments.pop() for _ in range(rng.randint(1, 2)) if comments)
            site = rng.choice(others)
            pid = f'a{i:03d}-rep{site}'
            spans = page(pid, site, [(comment, 'added')] + [(x, 'body') for x in sents[:keep]])
            pairs.append({'source': f'a{i:03d}', 'derived': pid, 'relation': 'derivative',
                          'kind': 'repost',
                          'added': [[s, e] for s, e, tag in spans if tag == 'added'],
                          'dropped': [[s, e] for s, e, _ in original[i][keep:]]})
    rng.shuffle(pages)
    return pages, {'pairs': pairs, 'bodies': bodies}


def crawl_sites(articles, extra, seed):
    """(pages, truth) of the six-site corpus as a crawl gives it (the `crawl` corpora): articles
    in paragraphs of two or three sentences; each site puts a line of its own into every article
    after the second paragraph (`Advertisement`, `Story continues below`, ...) and half the time
    a `READ MORE:` line with another story's headline after the third; syndicated copies end
    with a line naming the site the story first appeared on; reposts carry a comment before the
    article, after it, or both. Bodies (the truth's) hold the article's sentences and the
    comments, none of the lines a site adds."""
    rng = random.Random(seed)
    comments = comment_pool(extra, rng)
    sites = [(name, nav, footer, rng.choice(['Advertisement', 'ADVERTISEMENT',
                                             'Story continues below', 'Sponsored content']))
             for name, nav, footer in site_chrome(rng)]
    pages, bodies, pairs = [], {}, []

    def headline(text):
        return ' '.join(sentences(text)[0].split()[:10])

    def page(pid, site, paragraphs, tail=None):
        """Writes the page of `paragraphs` (lists of (sentence, tag)) on `site`; the sentences'
        char spans with their tags."""
        name, nav, footer, insert = sites[site]
        byline = f'By {rng.choice(REPORTERS)} | {name} | {rng.randint(1, 28)} March 2024'
        heads = [headline(articles[rng.randrange(len(articles))]) for _ in range(3)]
        related = 'Related stories:\n' + '\n'.join(heads)
        text, body, spans = f'{nav}\n\n{byline}\n\n', '', []
        for n, paragraph in enumerate(paragraphs):
            if n:
                text, body = text + '\n\n', body + '\n\n'
                if n == 2:
                    text += insert + '\n\n'
                if n == 3 and rng.random() < 0.5:
                    more = headline(articles[rng.randrange(len(articles))])
                    text += f'READ MORE: {more}\n\n'
            for m, (sentence, tag) in enumerate(paragraph):
                if m:
                    text, body = text + ' ', body + ' '
                spans.append((len(text), len(text) + len(sentence), tag))
                text, body = text + sentence, body + sentence
        if tail:
            text += '\n\n' + tail
        text += f'\n\n{related}\n\n{footer}'
        pages.append({'id': pid, 'text': text})
        bodies[pid] = body
        return spans

    def paragraphs(sents, tag='body'):
        out, i = [], 0
        while i < len(sents):
            n = rng.randint(2, 3)
            out.append([(x, tag) for x in sents[i:i + n]])
            i += n
        return out

    home = [rng.randrange(len(sites)) for _ in articles]
    original = {i: page(f'a{i:03d}', home[i], paragraphs(sentences(a)))
                for i, a in enumerate(articles)}
    for i, a in enumerate(articles):
        others = [s for s in range(len(sites)) if s != home[i]]
        r = rng.random()
        sents = sentences(a)
        if r < 0.15:
            group = [f'a{i:03d}']
            for s in rng.sample(others, rng.randint(1, 3)):
                group.append(f'a{i:03d}-syn{s}')
                page(group[-1], s, paragraphs(sents),
                     tail=f'This story first appeared on {sites[home[i]][0]}.')
            pairs += [{'source': x, 'derived': y, 'relation': 'duplicate', 'kind': 'syndicated',
                       'added': None, 'dropped': None}
                      for n, x in enumerate(group) for y in group[n + 1:]]
        elif r < 0.35 and len(sents) >= 4 and len(comments) >= 3:
            where = rng.choice(['before', 'after', 'both'])
            keep = max(3, int(len(sents) * rng.uniform(0.55, 0.8)))
            site = rng.choice(others)
            pid = f'a{i:03d}-rep{site}'
            parts = paragraphs(sents[:keep])
            if where in ('before', 'both'):
                comment = ' '.join(comments.pop() for _ in range(rng.randint(1, 2)))
                parts = [[(comment, 'added')]] + parts
            if where in ('after', 'both'):
                parts = parts + [[(comments.pop(), 'added')]]
            spans = page(pid, site, parts)
            pairs.append({'source': f'a{i:03d}', 'derived': pid, 'relation': 'derivative',
                          'kind': f'repost ({where})',
                          'added': [[s, e] for s, e, tag in spans if tag == 'added'],
                          'dropped': [[s, e] for s, e, _ in original[i][keep:]]})
    rng.shuffle(pages)
    return pages, {'pairs': pairs, 'bodies': bodies}


def write(path, pages):
    with open(path, 'w', encoding='utf-8') as f:
        for p in pages:
            f.write(json.dumps(p) + '\n')


def dedup(neardup, corpus, workdir):
    """Runs `neardup dedup` on `corpus`: (pairs file, kept file, set of pairs)."""
    stem = os.path.join(workdir, os.path.basename(corpus)[:-len('.jsonl')])
    pairs, kept = stem + '.pairs.jsonl', stem + '.kept.jsonl'
    subprocess.run([neardup, 'dedup', corpus, '--out-pairs', pairs, '--out-kept', kept,
                    '--passages', '--progress', 'never'], check=True, stderr=subprocess.DEVNULL)
    with open(pairs, encoding='utf-8') as f:
        records = [json.loads(line) for line in f if line.strip()]
    return pairs, kept, {tuple(sorted((r['a'], r['b']))) for r in records}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--neardup', default=os.path.join(HERE, '..', 'target', 'release', 'neardup'))
    ap.add_argument('--seeds', default='1,2,3')
    ap.add_argument('--workdir', default=os.path.join(HERE, '..', 'target', 'real-sites'))
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    articles, extra = lee_texts(args.workdir)

    # One template around every article: the pairs of the bare articles, no more.
    nav = 'Home | News | Sport | Business | Politics | World | Entertainment | Weather | Video'
    footer = ('Sign up for our daily newsletter to get the top stories delivered to your inbox '
              'every morning. Follow us on Facebook, Twitter and Instagram for breaking news and '
              'live updates. Copyright 2024 Daily Herald Media Group. All rights reserved. '
              'Privacy policy | Terms of use | Contact us | Advertise with us')
    runs = {}
    for name, wrap in (('bare', lambda a: a), ('one-template', lambda a: f'{nav}\n\n{a}\n\n{footer}')):
        path = os.path.join(args.workdir, f'{name}.jsonl')
        write(path, [{'id': f'a{i:03d}', 'text': wrap(a)} for i, a in enumerate(articles)])
        runs[name] = dedup(args.neardup, path, args.workdir)[2]
    print(f'one template: {len(runs["one-template"])} pairs, bare articles {len(runs["bare"])}, '
          f'{"the same pairs" if runs["bare"] == runs["one-template"] else "different pairs"}')

    keys = ['recall_must', 'precision', 'false_pos', 'relation_acc', 'direction_acc', 'added_f1',
            'dropped_f1', 'wrongly_removed']
    print('| corpus | pages | ' + ' | '.join(keys) + ' | found by kind |')
    print('|---|---:|' + '---:|' * len(keys) + '---|')
    # Briefs and shorts: each article's first sentences (this many), under a footer that ends
    # with a line of links (this many), so that the template is more of each page than the
    # story is.
    short = {'briefs': (3, 30), 'shorts': (2, 60)}

    def corpus_of(style, seed):
        if style == 'crawl':
            return crawl_sites(articles, extra, seed)
        if style in short:
            n, links = short[style]
            stories = [' '.join(sentences(a)[:n]) for a in articles]
            return six_sites(stories, extra, seed, 'lines', links=links)
        return six_sites(articles, extra, seed, style)

    for style in ('lines', 'inline', 'crawl', 'briefs', 'shorts'):
        for seed in [int(s) for s in args.seeds.split(',')]:
            pages, truth = corpus_of(style, seed)
            corpus = os.path.join(args.workdir, f'six-{style}-{seed}.jsonl')
            truth_path = corpus[:-len('.jsonl')] + '.truth.json'
            write(corpus, pages)
            with open(truth_path, 'w') as f:
                json.dump(truth, f)
            pairs, kept, _ = dedup(args.neardup, corpus, args.workdir)
            out = subprocess.run([sys.executable, SCORER, corpus, truth_path, pairs,
                                  '--kept', kept, '--json'], check=True, capture_output=True,
                                 text=True).stdout
            r = json.loads(out)
            cells = [f'{r[k]:.3f}' if isinstance(r[k], float) else str(r[k]) for k in keys]
            print(f'| {style} {seed} | {len(pages)} | ' + ' | '.join(cells)
                  + f' | {r["found_by_kind"]} |')


if __name__ == '__main__':
    main()
