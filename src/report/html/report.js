// neardup's HTML report: draws the page from the JSON data above it. Document text only ever
// becomes text nodes, text content or attribute values: nothing here parses markup.
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('neardup-data').textContent);
  const app = document.getElementById('app');
  const PAGE = 50;

  // ---- helpers ------------------------------------------------------------------------------

  /** An element with properties and children; strings become text nodes. */
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'data') for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = dv;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const kid of kids.flat()) {
      if (kid !== null && kid !== undefined && kid !== false) e.append(kid);
    }
    return e;
  }

  const pct = (x) => Math.round(x * 100) + '%';
  const num = (n) => Number(n).toLocaleString('en-US');
  const words = (s) => (s.match(/\S+/g) || []).length;
  const plural = (n, one, many) => num(n) + ' ' + (n === 1 ? one : many || one + 's');

  /** The first `n` words of a text, with an ellipsis when there are more. */
  function excerpt(s, n) {
    const w = s.match(/\S+/g) || [];
    return w.length <= n ? w.join(' ') : w.slice(0, n).join(' ') + ' …';
  }

  /** A link to a pair's view. */
  const pairHref = (i) => '#pair-' + i;

  function pageHead(sub) {
    return el('header', { class: 'page-head' },
      el('span', { class: 'brand' }, 'neardup'),
      el('span', { class: 'page-title' }, sub || data.title));
  }

  // ---- one pair -----------------------------------------------------------------------------

  /**
   * The page of a cover, shown once: each passage marked with the source it came from (the
   * sources of the report's pairs with this page), a legend of the sources and their shares.
   */
  function coverView(p) {
    const page = p[p.cover.page];
    const text = data.docs[page].text;
    const parts = [];
    data.pairs.forEach((q, k) => {
      if (q.cover && q[q.cover.page] === page) parts.push({ q, k });
    });
    parts.sort((x, y) => x.q.cover.rank - y.q.cover.rank);
    const hue = (rank) => 'cv-' + (((rank - 1) % 6) + 1);
    const spans = [];
    for (const { q } of parts) {
      for (const [s, e] of q.cover.spans) spans.push([s, e, q.cover.rank]);
    }
    spans.sort((x, y) => x[0] - y[0]);
    const body = el('div', { class: 'text cover-text' });
    let at = 0;
    for (const [s, e, rank] of spans) {
      if (s < at) continue;
      if (s > at) body.append(el('span', { class: 'own' }, text.slice(at, s)));
      body.append(el('mark', { class: 'cv ' + hue(rank), title: 'from source ' + rank },
        el('sup', null, '[' + rank + ']'), text.slice(s, e)));
      at = e;
    }
    if (at < text.length) body.append(el('span', { class: 'own' }, text.slice(at)));
    const legend = el('div', { class: 'legend cover-legend', 'aria-label': 'sources' },
      parts.map(({ q, k }) => {
        const source = data.docs[q[q.cover.page === 'a' ? 'b' : 'a']];
        return el('span', { class: 'key' }, el('span', { class: 'sw ' + hue(q.cover.rank) }),
          '[' + q.cover.rank + '] ',
          el('a', { href: pairHref(k), title: source.id }, source.name),
          ' ' + pct(q.cover.share));
      }),
      el('span', { class: 'key' }, el('span', { class: 'sw' }), "the page's own"));
    return el('section', { class: 'cover' },
      el('h2', null, data.docs[page].name + ' is built from ' +
        plural(p.cover.sources, 'source') + ', which explain ' + pct(p.cover.explained) +
        ' of it' + (parts.length < p.cover.sources ? ' (' + parts.length + ' in this report)' : '')),
      legend, body);
  }

  /** The side-by-side view of pair `i`. */
  function pairView(i) {
    const p = data.pairs[i];
    const doc = { a: data.docs[p.a], b: data.docs[p.b] };
    const role = { a: p.a_only, b: p.b_only };
    const label = { a: p.a_label, b: p.b_label };
    const other = (s) => (s === 'a' ? 'b' : 'a');
    const roleText = (s) => p.derived
      ? (role[s] === 'added' ? 'added in ' : 'dropped from ') + doc[s].name
      : 'only in ' + doc[s].name;
    const root = el('article', { class: 'pair', data: { pair: i, relation: p.relation } });

    root.append(el('h1', { class: 'verdict rel-' + p.relation }, p.verdict));
    if (p.direction) root.append(el('p', { class: 'direction' }, p.direction));
    root.append(el('div', { class: 'scores' },
      el('span', { class: 'chip rel rel-' + p.relation }, p.relation),
      el('span', { class: 'chip' }, 'Jaccard ', el('b', null, p.jaccard.toFixed(2))),
      el('span', { class: 'chip' }, el('b', null, pct(p.containment_a_in_b)),
        ' of ' + doc.a.name + ' is in ' + doc.b.name),
      el('span', { class: 'chip' }, el('b', null, pct(p.containment_b_in_a)),
        ' of ' + doc.b.name + ' is in ' + doc.a.name),
      el('span', { class: 'chip dim' }, 'word 5-grams: ' + num(p.a_shingles) + ' · ' +
        num(p.b_shingles) + ' · ' + num(p.shared_shingles) + ' shared')));

    const added = role.a === 'added' ? 'a' : 'b';
    root.append(el('div', { class: 'legend', 'aria-label': 'legend' },
      el('span', { class: 'key' }, el('span', { class: 'sw sw-shared' }), 'shared: point at it to find its twin'),
      el('span', { class: 'key' }, el('span', { class: 'sw sw-changed' }), 'changed, small edits marked'),
      (p.passages || []).some((x) => x.kind === 'boilerplate')
        ? el('span', { class: 'key' }, el('span', { class: 'sw sw-boilerplate' }), 'boilerplate: template text, not evidence')
        : null,
      el('span', { class: 'key' }, el('span', { class: 'sw sw-added' }), roleText(added)),
      el('span', { class: 'key' }, el('span', { class: 'sw sw-dropped' }), roleText(other(added))),
      el('span', { class: 'key' }, el('span', { class: 'sw sw-moved' }), 'moved')));

    if (p.cover) root.append(coverView(p));

    if (!p.passages) {
      root.append(el('p', { class: 'note' },
        'This pair was not aligned: its passages are not marked.'));
    }
    const passages = p.passages || [];

    // Jump list: the added and dropped passages, in reading order.
    const jumps = el('nav', { class: 'jumps', 'aria-label': 'added and dropped passages' });
    passages.forEach((x, k) => {
      if (x.kind !== 'a_only' && x.kind !== 'b_only') return;
      const s = x.kind === 'a_only' ? 'a' : 'b';
      const t = doc[s].text.slice(x[s][0], x[s][1]);
      jumps.append(el('button', {
        type: 'button', class: 'jump role-' + role[s], title: roleText(s),
        onclick: () => focus(s, k),
      }, el('span', { class: 'sign' }, role[s] === 'added' ? '+' : '−'), excerpt(t, 7),
      el('span', { class: 'count' }, plural(words(t), 'word'))));
    });
    if (jumps.childElementCount) {
      root.append(el('div', { class: 'jump-head' }, 'Added and dropped passages'), jumps);
    }

    const boxes = {};
    const cols = el('div', { class: 'cols' });
    for (const s of ['a', 'b']) {
      const box = el('div', { class: 'text', data: { side: s }, tabindex: '0' });
      fillSide(box, p, passages, s, doc, role);
      boxes[s] = box;
      const own = passages.filter((x) => x.kind === s + '_only').length;
      cols.append(el('section', { class: 'col col-' + s },
        el('header', { class: 'col-head' },
          el('span', { class: 'side-tag' }, s.toUpperCase()),
          label[s] ? el('span', { class: 'col-label' }, label[s]) : null,
          el('span', { class: 'col-name', title: doc[s].id }, doc[s].id)),
        el('div', { class: 'col-stats' }, plural(words(doc[s].text), 'word') + ' · ' +
          plural(own, 'passage') + ' ' + roleText(s)),
        box));
    }
    root.append(cols);

    // Twins: pointing at a shared or changed passage marks it on the other side and scrolls there.
    const find = (s, k) => boxes[s].querySelector('.p[data-p="' + k + '"]');
    let pinned = null;
    function mark(node, on, cls) {
      const s = node.dataset.side;
      const twin = find(other(s), node.dataset.p);
      node.classList.toggle(cls, on);
      if (twin) twin.classList.toggle(cls, on);
      return twin;
    }
    for (const s of ['a', 'b']) {
      for (const node of boxes[s].querySelectorAll('.p.linked')) {
        node.addEventListener('mouseenter', () => {
          const twin = mark(node, true, 'hot');
          if (twin) reveal(boxes[other(s)], twin, false);
        });
        node.addEventListener('mouseleave', () => mark(node, false, 'hot'));
        node.addEventListener('click', () => {
          if (pinned) mark(pinned, false, 'pinned');
          const again = pinned === node;
          pinned = again ? null : node;
          if (again) return;
          const twin = mark(node, true, 'pinned');
          if (twin) reveal(boxes[other(s)], twin, true);
        });
      }
    }

    /** Scrolls `box` so that `node` is in sight; the page too when `page` (a click). */
    function reveal(box, node, page) {
      const scrolls = box.scrollHeight > box.clientHeight + 1 &&
        getComputedStyle(box).overflowY !== 'visible';
      if (scrolls) {
        const top = node.getBoundingClientRect().top - box.getBoundingClientRect().top;
        if (top < 0 || top > box.clientHeight * 0.8) {
          box.scrollTo({ top: box.scrollTop + top - box.clientHeight / 4, behavior: 'smooth' });
        }
        if (page) box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      } else if (page) {
        node.scrollIntoView({ block: 'center', behavior: 'smooth' });
      }
    }

    function focus(s, k) {
      const node = find(s, k);
      if (!node) return;
      reveal(boxes[s], node, true);
      node.classList.remove('flash');
      void node.offsetWidth;
      node.classList.add('flash');
    }

    return root;
  }

  /** Fills one side's box with its text, passages wrapped and marked, in that side's order. */
  function fillSide(box, p, passages, s, doc, role) {
    const o = s === 'a' ? 'b' : 'a';
    const t = doc[s].text;
    const order = passages.map((x, k) => [x, k]).filter(([x]) => x[s])
      .sort((u, v) => u[0][s][0] - v[0][s][0]);
    let at = 0;
    for (const [x, k] of order) {
      const [start, end] = x[s];
      if (start > at) box.append(t.slice(at, start));
      const own = x.kind === s + '_only';
      const linked = x.kind === 'shared' || x.kind === 'changed';
      const span = el('span', {
        class: 'p k-' + x.kind + (own ? ' role-' + role[s] : '') + (linked ? ' linked' : '') +
          (x.moved ? ' moved' : ''),
        data: { p: k, kind: x.kind, side: s, role: own ? role[s] : x.kind },
        title: x.moved ? 'moved: the other text has it at another place' : null,
      });
      let from = Math.max(at, start);
      for (const e of x.edits || []) {
        const mine = e[s];
        const theirs = e[o];
        const said = theirs ? '“' + doc[o].text.slice(theirs[0], theirs[1]) + '”' : null;
        const cut = Math.min(Math.max(mine ? mine[0] : e['at_' + s], from), end);
        if (cut > from) span.append(t.slice(from, cut));
        from = cut;
        if (mine) {
          const stop = Math.min(Math.max(mine[1], from), end);
          span.append(el('mark', {
            class: 'edit edit-' + role[s],
            title: said ? doc[o].name + ' has ' + said : 'not in ' + doc[o].name,
          }, t.slice(from, stop)));
          from = stop;
        } else if (said) {
          span.append(el('span', {
            class: 'gap edit-' + role[o], title: doc[o].name + ' has ' + said + ' here',
          }));
        }
      }
      if (end > from) span.append(t.slice(from, end));
      box.append(span);
      at = Math.max(at, end);
    }
    if (at < t.length) box.append(t.slice(at));
  }

  // ---- several pairs (one document against ranked sources) ----------------------------------

  function pairList(selected) {
    const rows = data.pairs.map((p, i) => el('tr', {
      class: i === selected ? 'selected' : null,
      onclick: () => { location.hash = pairHref(i); },
    },
    el('td', { class: 'num' }, String(i + 1)),
    el('td', null, el('a', { href: pairHref(i) }, p.verdict)),
    el('td', { class: 'num' }, p.jaccard.toFixed(2)),
    el('td', { class: 'num' }, pct(p.containment_a_in_b)),
    el('td', { class: 'num' }, pct(p.containment_b_in_a))));
    return el('table', { class: 'list' },
      el('thead', null, el('tr', null, el('th', null, '#'), el('th', null, 'verdict'),
        el('th', null, 'Jaccard'), el('th', null, 'a in b'), el('th', null, 'b in a'))),
      el('tbody', null, rows));
  }

  // ---- dedup run ----------------------------------------------------------------------------

  const state = { page: 0, filter: '', scroll: 0 };

  function dedupOverview() {
    const d = data.dedup;
    const f = d.figures;
    const root = el('div', { class: 'dedup' });
    const removed = f.removed_duplicates + f.removed_derivatives + (f.removed_built || 0);
    root.append(el('h1', null, 'Dedup: ' + num(f.read) + ' documents read, ' + num(f.kept) +
      ' kept, ' + num(removed) + ' removed'));
    const card = (n, what, more) => el('div', { class: 'card' },
      el('div', { class: 'big' }, num(n)), el('div', null, what),
      more ? el('div', { class: 'dim' }, more) : null);
    const others = f.pairs - f.duplicate_pairs - f.derivative_pairs;
    root.append(el('div', { class: 'cards' },
      card(f.read, 'read'),
      card(f.kept, 'kept'),
      card(removed, 'removed',
        num(f.removed_duplicates) + ' duplicates, ' + num(f.removed_derivatives) + ' derivatives' +
          (f.removed_built ? ', ' + num(f.removed_built) + ' built from several' : '')),
      card(f.clusters, 'clusters of duplicates'),
      f.built ? card(f.built, 'pages made of several sources') : null,
      card(f.pairs, 'pairs', num(f.duplicate_pairs) + ' duplicate, ' + num(f.derivative_pairs) +
        ' derivative' + (others ? ', ' + num(others) + ' other' : ''))));
    root.append(el('p', { class: 'note' }, 'This report holds the views of ' +
      plural(data.pairs.length, 'pair') + (d.left_out
        ? '; ' + plural(d.left_out, 'more pair was', 'more pairs were') +
          ' left out (--html-max-pairs bounds the report). The pairs file lists every pair.'
        : ', every pair of the run.')));

    if (d.histogram.length) {
      const most = Math.max(...d.histogram.map((b) => b.clusters));
      root.append(el('h2', null, 'Cluster sizes'), el('table', { class: 'hist' },
        el('thead', null, el('tr', null, el('th', null, 'size'), el('th', null, 'clusters'),
          el('th', { class: 'bar-col' }, ''), el('th', null, 'documents'))),
        el('tbody', null, d.histogram.map((b) => el('tr', null,
          el('td', { class: 'num' }, b.label),
          el('td', { class: 'num' }, num(b.clusters)),
          el('td', { class: 'bar-col' }, el('span', {
            class: 'bar', style: 'width:' + (b.clusters / most * 100).toFixed(1) + '%',
          })),
          el('td', { class: 'num' }, num(b.documents)))))));
    }
    if (d.clusters.length) {
      root.append(el('h2', null, 'Largest clusters of duplicates'),
        groups(d.clusters, 'kept', 'representative, removed as a derivative',
          'removed as duplicates'));
    }
    if (d.sources.length) {
      root.append(el('h2', null, 'Sources with the most derivatives'),
        groups(d.sources, 'source, kept', 'source, removed', 'derived from it'));
    }
    if (d.built && d.built.length) {
      root.append(el('h2', null, 'Pages made of several sources'),
        groups(d.built, 'page, kept', 'page, removed', 'it is made of'));
    }
    if (data.pairs.length) root.append(el('h2', null, 'Pairs'), pairTable());
    return root;
  }

  /** Cards of clusters or sources, the first few shown and the rest a click away. */
  function groups(list, headWord, removedWord, memberWord) {
    const FIRST = 12;
    const card = (g) => el('section', { class: 'group' },
      el('div', { class: 'group-head' },
        el('span', { class: 'tag' }, g.head_kept ? headWord : removedWord),
        el('span', { class: 'gid', title: g.head }, g.head)),
      el('div', { class: 'dim' }, plural(g.size, 'document') + ' ' + memberWord),
      el('ul', null, g.members.map((m) => el('li', null,
        m.view === null || m.view === undefined
          ? el('span', { class: 'gid', title: m.id }, m.id)
          : el('a', { class: 'gid', href: pairHref(m.view), title: m.id }, m.id)))),
      g.size > g.members.length
        ? el('div', { class: 'dim' }, 'and ' + num(g.size - g.members.length) + ' more')
        : null);
    const box = el('div', { class: 'groups' }, list.slice(0, FIRST).map(card));
    if (list.length <= FIRST) return box;
    const more = el('button', {
      type: 'button', class: 'more',
      onclick: () => { box.append(...list.slice(FIRST).map(card)); more.remove(); },
    }, 'show ' + num(list.length - FIRST) + ' more');
    return el('div', null, box, more);
  }

  function pairTable() {
    const wrap = el('div', { class: 'pairs' });
    const input = el('input', {
      type: 'search', placeholder: 'filter by id or relation', value: state.filter,
      'aria-label': 'filter pairs',
    });
    const body = el('div');
    input.addEventListener('input', () => { state.filter = input.value; state.page = 0; draw(); });
    function draw() {
      const q = state.filter.trim().toLowerCase();
      const shown = [];
      data.pairs.forEach((p, i) => {
        const hay = (data.docs[p.a].id + ' ' + data.docs[p.b].id + ' ' + p.relation).toLowerCase();
        if (!q || hay.includes(q)) shown.push(i);
      });
      const pages = Math.max(1, Math.ceil(shown.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      const rows = shown.slice(state.page * PAGE, (state.page + 1) * PAGE).map((i) => {
        const p = data.pairs[i];
        return el('tr', { onclick: () => { location.hash = pairHref(i); } },
          el('td', null, el('span', { class: 'chip rel rel-' + p.relation }, p.relation)),
          el('td', { class: 'gid' }, el('a', { href: pairHref(i) }, data.docs[p.a].id)),
          el('td', { class: 'gid' }, data.docs[p.b].id),
          el('td', { class: 'num' }, p.jaccard.toFixed(2)),
          el('td', { class: 'num' }, pct(p.containment_a_in_b)),
          el('td', { class: 'num' }, pct(p.containment_b_in_a)));
      });
      const go = (k) => () => { state.page = k; draw(); };
      body.replaceChildren(
        el('table', { class: 'list' },
          el('thead', null, el('tr', null, el('th', null, 'relation'), el('th', null, 'a'),
            el('th', null, 'b'), el('th', null, 'Jaccard'), el('th', null, 'a in b'),
            el('th', null, 'b in a'))),
          el('tbody', null, rows)),
        el('div', { class: 'pager' },
          el('button', { type: 'button', disabled: state.page === 0 ? '' : null, onclick: go(state.page - 1) }, '‹ previous'),
          el('span', null, 'page ' + (state.page + 1) + ' of ' + pages + ' · ' + plural(shown.length, 'pair')),
          el('button', { type: 'button', disabled: state.page + 1 >= pages ? '' : null, onclick: go(state.page + 1) }, 'next ›')));
    }
    draw();
    wrap.append(input, body);
    return wrap;
  }

  // ---- routing ------------------------------------------------------------------------------

  function selected() {
    const m = /^#pair-(\d+)$/.exec(location.hash);
    const i = m ? Number(m[1]) : -1;
    return i >= 0 && i < data.pairs.length ? i : -1;
  }

  function route() {
    const i = selected();
    if (data.dedup) {
      if (i >= 0) {
        state.scroll = state.scroll || window.scrollY;
        app.replaceChildren(pageHead(),
          el('a', { class: 'back', href: '#' }, '‹ back to the run'), pairView(i));
        window.scrollTo(0, 0);
      } else {
        app.replaceChildren(pageHead(), dedupOverview());
        window.scrollTo(0, state.scroll);
        state.scroll = 0;
      }
    } else if (data.pairs.length === 1) {
      app.replaceChildren(pageHead(), pairView(0));
    } else if (data.pairs.length === 0) {
      app.replaceChildren(pageHead(), el('p', { class: 'note' }, 'No pairs to show.'));
    } else {
      const k = Math.max(i, 0);
      app.replaceChildren(pageHead(), pairList(k), pairView(k));
    }
  }

  window.addEventListener('hashchange', route);
  route();
  document.documentElement.dataset.rendered = 'yes';
})();
