// Hindsight's search page: loads the gallery's index (search/index.js, one record per
// postmortem) and scans it in the browser as you type. No server, nothing fetched but
// the index. Every piece of a postmortem is put into the page with textContent or as an
// attribute value; none is ever parsed as HTML.
(function () {
  'use strict';
  var form = document.getElementById('search');
  var tpl = document.getElementById('search-card');
  if (!form || !tpl || !('content' in tpl)) return;
  var status = document.getElementById('search-status');
  var results = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var input = form.elements.q;
  var root = form.getAttribute('data-root') || './';
  var STEP = 60;
  var SEVERITIES = { unknown: 1, minor: 1, major: 1, critical: 1 };
  var FILTERS = ['tag', 'collection', 'score', 'duration', 'users'];
  // What tests and the curious can read: when the index was ready and how long the last
  // query took, in milliseconds (performance.now(), from the page's start).
  var probe = (window.hindsightSearch = { ready: false, renders: 0 });

  // Lower case, accents taken off ("Café" and "cafe" are one word).
  function fold(s) {
    s = s.toLowerCase();
    // eslint-disable-next-line no-control-regex
    return /[^\u0000-\u007f]/.test(s) ? s.normalize('NFD').replace(/\p{M}+/gu, '') : s;
  }
  // The words of a query: runs of letters and digits.
  function words(q) {
    return fold(q).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  probe.words = words;

  function minutes(m) {
    if (typeof m !== 'number' || m < 0) return '\u2014';
    m = Math.round(m);
    var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), min = m % 60, parts = [];
    if (d) parts.push(d + ' d');
    if (h) parts.push(h + ' h');
    if (min || !parts.length) parts.push(min + ' min');
    return parts.join(' ');
  }
  function percent(p) {
    if (typeof p !== 'number') return '\u2014';
    return (p % 1 === 0 ? p.toFixed(0) : p.toFixed(1)) + '%';
  }
  function page(kind, slug) {
    return root + kind + '/' + encodeURIComponent(slug) + '/';
  }

  // The query in the address, so a search can be shared and survives a reload.
  var params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  FILTERS.forEach(function (name) {
    var el = form.elements[name], v = params.get(name);
    if (el && v && [].some.call(el.options, function (o) { return o.value === v; })) el.value = v;
  });

  var index, recs, shown = 0, hits = [], matchedCause = null;

  function start(data) {
    if (!data || data.v !== 2 || !Array.isArray(data.records)) return failed();
    index = data;
    var F = {};
    data.fields.forEach(function (f, i) { F[f] = i; });
    var tagNo = {}, colNo = {};
    data.tags.forEach(function (t, i) { tagNo[t[1]] = i; });
    data.collections.forEach(function (c, i) { colNo[c[1]] = i; });
    index.tagNo = tagNo;
    index.colNo = colNo;
    recs = data.records.map(function (r, i) {
      var tags = r[F.tags].map(function (n) { return data.tags[n][0]; }).join(' ');
      var title = fold(r[F.title]), summary = fold(r[F.summary] || ''), cause = fold(r[F.root_cause] || '');
      tags = fold(tags);
      return {
        i: i,
        slug: r[F.slug], title: r[F.title], summary: r[F.summary], cause: r[F.root_cause],
        tags: r[F.tags], collection: r[F.collection], passed: r[F.passed],
        duration: r[F.duration_minutes], users: r[F.users_affected_percent], date: r[F.date],
        severity: r[F.severity], author: r[F.author], detect: r[F.time_to_detect_minutes],
        fields: [title, tags, summary, cause],
        all: title + '\n' + tags + '\n' + summary + '\n' + cause,
      };
    });
    probe.ready = true;
    probe.readyMs = performance.now();
    run();
  }

  function failed() {
    status.textContent = 'The search index could not be loaded. Browse ';
    [['incidents/', 'every incident'], ['tags/', 'the tags'], ['collections/', 'the collections']].forEach(function (l, i) {
      var a = document.createElement('a');
      a.href = root + l[0];
      a.textContent = l[1];
      status.appendChild(a);
      status.appendChild(document.createTextNode(i < 2 ? ', ' : ' instead.'));
    });
  }

  // Title, tags, summary, root cause: a word found in an earlier field counts for more,
  // and at the start of a word for twice as much.
  var WEIGHT = [8, 6, 3, 2];
  function scoreOf(r, terms) {
    var total = 0, inCause = false;
    for (var t = 0; t < terms.length; t++) {
      var term = terms[t];
      if (r.all.indexOf(term) < 0) return -1;
      var best = 0, where = -1;
      for (var f = 0; f < 4; f++) {
        var at = r.fields[f].indexOf(term);
        if (at < 0) continue;
        var s = WEIGHT[f] * (at === 0 || !/[\p{L}\p{N}]/u.test(r.fields[f][at - 1]) ? 2 : 1);
        if (s > best) { best = s; where = f; }
      }
      if (where === 3) inCause = true;
      total += best;
    }
    return inCause ? total + 0.5 : total;
  }

  function passes(r, f) {
    if (f.tag !== undefined && r.tags.indexOf(f.tag) < 0) return false;
    if (f.collection !== undefined && r.collection !== f.collection) return false;
    if (f.score === 'pass' && r.passed !== index.checks) return false;
    if (f.score === 'fail' && r.passed === index.checks) return false;
    var d = r.duration, u = r.users;
    switch (f.duration) {
      case 'lt1h': if (d == null || d >= 60) return false; break;
      case '1to6h': if (d == null || d < 60 || d > 360) return false; break;
      case 'gt6h': if (d == null || d <= 360) return false; break;
      case 'none': if (d != null) return false; break;
    }
    switch (f.users) {
      case 'lt25': if (u == null || u >= 25) return false; break;
      case '25to75': if (u == null || u < 25 || u > 75) return false; break;
      case 'gt75': if (u == null || u <= 75) return false; break;
      case 'none': if (u != null) return false; break;
    }
    return true;
  }

  function run() {
    if (!recs) return;
    var t0 = performance.now();
    var terms = words(input.value);
    var f = {}, el = form.elements;
    if (el.tag.value) f.tag = index.tagNo[el.tag.value];
    if (el.collection.value) f.collection = index.colNo[el.collection.value];
    if ((el.tag.value && f.tag === undefined) || (el.collection.value && f.collection === undefined)) f.tag = -1;
    f.score = el.score.value;
    f.duration = el.duration.value;
    f.users = el.users.value;
    var scored = [];
    for (var i = 0; i < recs.length; i++) {
      var r = recs[i];
      if (!passes(r, f)) continue;
      var s = terms.length ? scoreOf(r, terms) : 0;
      if (s >= 0) scored.push([s, r]);
    }
    if (terms.length) scored.sort(function (a, b) { return b[0] - a[0] || a[1].i - b[1].i; });
    hits = scored.map(function (x) { return x[1]; });
    matchedCause = terms.length ? terms : null;
    results.replaceChildren();
    shown = 0;
    showMore();
    var n = hits.length, all = recs.length;
    status.textContent = n === 0
      ? 'No postmortem matches. Try fewer words or other filters.'
      : (n === all && !terms.length ? 'All ' + all + ' postmortems' : n + ' of ' + all + ' postmortems match') + '.';
    // Keep the address in step, without a new history entry per key.
    var q = new URLSearchParams();
    if (input.value.trim()) q.set('q', input.value.trim());
    FILTERS.forEach(function (name) { if (el[name].value) q.set(name, el[name].value); });
    var search = q.toString();
    if (location.protocol !== 'file:' || search !== location.search.slice(1)) {
      try { history.replaceState(null, '', search ? '?' + search : location.pathname); } catch (e) { /* a file: page may refuse */ }
    }
    probe.renders++;
    probe.count = n;
    probe.lastQueryMs = performance.now() - t0;
    if (probe.firstResultMs === undefined) probe.firstResultMs = performance.now();
  }

  function showMore() {
    var frag = document.createDocumentFragment();
    var end = Math.min(hits.length, shown + STEP);
    for (; shown < end; shown++) frag.appendChild(card(hits[shown]));
    results.appendChild(frag);
    more.hidden = shown >= hits.length;
    if (!more.hidden) more.textContent = 'Show ' + Math.min(STEP, hits.length - shown) + ' more of ' + (hits.length - shown);
  }

  function slot(node, name) {
    return node.querySelector('[data-s="' + name + '"]');
  }
  function text(node, name, value) {
    var el = slot(node, name);
    if (!el) return null;
    if (value == null || value === '') { el.remove(); return null; }
    el.textContent = value + (el.getAttribute('data-suffix') || '');
    return el;
  }

  function card(r) {
    var node = tpl.content.firstElementChild.cloneNode(true);
    var url = page('incidents', r.slug);
    var sev = SEVERITIES[r.severity] ? r.severity : 'unknown';
    node.classList.add('sev-' + sev);
    var title = text(node, 'title', r.title);
    if (title) title.href = url;
    var date = text(node, 'date', r.date);
    if (date) date.setAttribute('datetime', r.date);
    text(node, 'author', r.author);
    var c = r.collection == null ? null : index.collections[r.collection];
    var col = text(node, 'collection', c && c[0]);
    if (col) col.href = page('collections', c[1]);
    text(node, 'summary', r.summary);
    var cause = slot(node, 'cause');
    var showCause = cause && r.cause && matchedCause && matchedCause.some(function (t) {
      return r.fields[3].indexOf(t) >= 0 && r.fields[0].indexOf(t) < 0 && r.fields[2].indexOf(t) < 0;
    });
    if (showCause) slot(node, 'cause-text').textContent = r.cause;
    else if (cause) cause.remove();
    text(node, 'duration', minutes(r.duration));
    text(node, 'users', percent(r.users));
    text(node, 'detect', minutes(r.detect));
    var s = text(node, 'severity', sev);
    if (s) s.classList.add('sev-' + sev);
    var score = slot(node, 'score');
    if (score) {
      var of = index.checks, p = r.passed;
      score.href = url + '#checks';
      score.title = p + ' of ' + of + ' rubric checks pass';
      if (p === of) score.classList.add('perfect');
      else if (p * 2 < of) score.classList.add('low');
      var num = slot(score, 'score-num');
      if (num) {
        num.textContent = p + '/' + of;
        var meter = slot(score, 'meter');
        if (meter) meter.textContent = '\u2588'.repeat(p) + '\u2591'.repeat(Math.max(0, of - p));
      } else {
        score.textContent = p + '/' + of;
      }
    }
    var ul = slot(node, 'tags');
    if (ul) {
      var li = ul.firstElementChild;
      ul.replaceChildren();
      r.tags.forEach(function (n) {
        var t = index.tags[n], item = li.cloneNode(true), a = item.querySelector('a');
        a.href = page('tags', t[1]);
        a.textContent = '#' + t[0];
        ul.appendChild(item);
      });
      if (!r.tags.length) ul.remove();
    }
    return node;
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    run();
  });
  // Typing and choosing a filter both send `input`.
  form.addEventListener('input', run);
  more.addEventListener('click', showMore);

  // The index is a head naming its parts, each a script that hands its records to
  // `self.hindsightPart`; scripts, not fetches, so the page works from disk too.
  function load(src, then) {
    var s = document.createElement('script');
    s.src = src;
    s.onload = then;
    s.onerror = failed;
    document.head.appendChild(s);
  }
  status.textContent = 'Loading the index\u2026';
  var head = form.getAttribute('data-index');
  var folder = head.slice(0, head.lastIndexOf('/') + 1);
  load(head, function () {
    var index = self.hindsightIndex;
    if (!index || !Array.isArray(index.parts)) return failed();
    var parts = index.parts, got = [], left = parts.length;
    self.hindsightPart = function (k, records) { got[k - 1] = records; };
    function done() {
      for (var k = 0; k < parts.length; k++) if (!Array.isArray(got[k])) return failed();
      index.records = [].concat.apply([], got);
      start(index);
    }
    if (!left) return done();
    parts.forEach(function (p) {
      load(folder + p, function () { if (--left === 0) done(); });
    });
  });
})();
