// Hindsight's grading report: on its first page, loads the class's rows (report/rows.js,
// one record per postmortem) and lets the table be sorted by any column and filtered
// by text, collection, score and failing check, over the whole class, not one page.
// Without it the pages are plain tables. Student text goes into the page with
// textContent or as an attribute value only; none is ever parsed as HTML.
(function () {
  'use strict';
  var form = document.getElementById('report-filters');
  var table = document.getElementById('grades');
  if (!form || !table || !table.tBodies.length) return;
  var status = document.getElementById('report-status');
  var more = document.getElementById('report-more');
  var body = table.tBodies[0];
  // The site shows copied work: the table has a column for it.
  var showCopies = !!table.querySelector('th[data-key="copies"]');
  var root = form.getAttribute('data-root') || './';
  var STEP = 250;
  var FILTERS = ['q', 'collection', 'status', 'fails'];
  // What tests can read: how many renders, rows matching and shown, when the first
  // render was done and how long the last took (ms, performance.now()).
  var probe = (window.hindsightReport = { ready: false, renders: 0 });
  var rows = [], checks = [], collections = [], hits = [], shown = 0;
  var sort = { key: '', dir: 1 };

  function fold(s) {
    s = String(s || '').toLowerCase();
    // eslint-disable-next-line no-control-regex
    return /[^\u0000-\u007f]/.test(s) ? s.normalize('NFD').replace(/\p{M}+/gu, '') : s;
  }

  function start(data) {
    if (!data || data.v !== 2) return failed();
    checks = data.checks;
    collections = data.collections;
    var f = {};
    data.fields.forEach(function (name, i) { f[name] = i; });
    rows = data.rows.map(function (r, i) {
      var failing = [];
      checks.forEach(function (id, bit) { if (r[f.failing] & (1 << bit)) failing.push(id); });
      var row = {
        i: i,
        slug: r[f.slug],
        title: r[f.title] || '',
        file: r[f.file] || '',
        author: r[f.author] || '',
        collection: r[f.collection] == null ? '' : collections[r[f.collection]] || '',
        passed: r[f.passed],
        optional: r[f.optional],
        percent: r[f.percent],
        failing: failing,
        words: r[f.words],
        copies: r[f.copies] || []
      };
      row.text = fold([row.title, row.file, row.author, row.collection].join(' '));
      return row;
    });
    // The address may carry a filter (the most-missed list links `?fails=ID`).
    var params = new URLSearchParams(location.search);
    FILTERS.forEach(function (name) {
      var v = params.get(name);
      var el = form.elements[name];
      if (v == null || !el) return;
      if (el.tagName === 'SELECT' && !Array.prototype.some.call(el.options, function (o) { return o.value === v; })) return;
      el.value = v;
    });
    var s = params.get('sort');
    if (s) {
      sort.key = s.replace(/^-/, '');
      sort.dir = s.charAt(0) === '-' ? -1 : 1;
    }
    sortable();
    form.hidden = false;
    var pager = document.querySelector('.pagination');
    if (pager) pager.hidden = true;
    probe.ready = true;
    run();
  }

  function failed() {
    if (status) status.textContent = 'The class\u2019s rows could not be loaded: the table shows this page only.';
  }

  // Each column's header becomes a button that sorts by it (again: the other way).
  function sortable() {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var key = th.getAttribute('data-key');
      if (!key) return;
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.textContent = th.textContent;
      var mark = document.createElement('span');
      mark.className = 'sort-mark';
      mark.setAttribute('aria-hidden', 'true');
      b.appendChild(mark);
      th.textContent = '';
      th.appendChild(b);
      b.addEventListener('click', function () {
        if (sort.key === key) sort.dir = -sort.dir;
        else { sort.key = key; sort.dir = key === 'title' || key === 'author' || key === 'collection' ? 1 : -1; }
        run();
      });
    });
  }

  function value(r, key) {
    if (key === 'failing') return r.failing.length;
    if (key === 'copies') return r.copies.length ? r.copies[0][1] : 0;
    if (key === 'passed') return r.passed * 2 + r.optional;
    return r[key];
  }

  function compare(a, b) {
    var x = value(a, sort.key), y = value(b, sort.key), d;
    if (typeof x === 'string') {
      // Empty cells last, whichever way.
      if (!x !== !y) return x ? -1 : 1;
      d = x.localeCompare(y, undefined, { numeric: true, sensitivity: 'base' });
    } else {
      d = x - y;
    }
    return d * sort.dir || a.i - b.i;
  }

  function run() {
    var t0 = performance.now();
    var el = form.elements;
    var words = fold(el.q.value).split(/\s+/).filter(Boolean);
    var coll = el.collection.value, st = el.status.value, fails = el.fails.value;
    hits = rows.filter(function (r) {
      if (coll && r.collection !== coll) return false;
      if (st === 'pass' && r.failing.length) return false;
      if (st === 'fail' && !r.failing.length) return false;
      if (fails && r.failing.indexOf(fails) < 0) return false;
      for (var i = 0; i < words.length; i++) if (r.text.indexOf(words[i]) < 0) return false;
      return true;
    });
    if (sort.key) hits.sort(compare);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var key = th.getAttribute('data-key');
      var on = key && key === sort.key;
      if (on) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      var mark = th.querySelector('.sort-mark');
      if (mark) mark.textContent = on ? (sort.dir > 0 ? ' \u25b2' : ' \u25bc') : '';
    });
    body.replaceChildren();
    shown = 0;
    showMore();
    var n = hits.length, all = rows.length;
    status.textContent = n === 0
      ? 'No postmortem matches these filters.'
      : (n === all ? 'All ' + all + ' postmortems' : n + ' of ' + all + ' postmortems match') +
        (n > shown ? ', the first ' + shown + ' shown' : '') + '. Click a column\u2019s name to sort by it.';
    var q = new URLSearchParams();
    FILTERS.forEach(function (name) { if (el[name].value.trim()) q.set(name, el[name].value.trim()); });
    if (sort.key) q.set('sort', (sort.dir < 0 ? '-' : '') + sort.key);
    var search = q.toString();
    if (search !== location.search.slice(1)) {
      try { history.replaceState(null, '', search ? '?' + search : location.pathname); } catch (e) { /* a file: page may refuse */ }
    }
    probe.renders++;
    probe.count = n;
    probe.lastRunMs = performance.now() - t0;
    if (probe.firstRenderMs === undefined) probe.firstRenderMs = performance.now();
  }

  function showMore() {
    var end = Math.min(hits.length, shown + STEP);
    var frag = document.createDocumentFragment();
    for (var i = shown; i < end; i++) frag.appendChild(rowOf(hits[i]));
    body.appendChild(frag);
    shown = end;
    more.hidden = shown >= hits.length;
    probe.shown = shown;
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function rowOf(r) {
    var tr = document.createElement('tr');
    if (!r.failing.length) tr.className = 'all';
    var th = document.createElement('th');
    th.scope = 'row';
    var a = document.createElement('a');
    a.href = root + 'incidents/' + encodeURIComponent(r.slug) + '/';
    a.textContent = r.title;
    var small = document.createElement('small');
    small.textContent = r.file;
    th.appendChild(a);
    th.appendChild(small);
    tr.appendChild(th);
    cell(tr, r.author);
    cell(tr, r.collection, 'coll');
    cell(tr, r.passed + '/' + checks.length, 'num grade-score');
    cell(tr, r.percent + '%', 'num');
    var td = cell(tr, '', 'fails');
    if (!r.failing.length) {
      var none = document.createElement('span');
      none.className = 'none';
      none.textContent = 'none';
      td.appendChild(none);
    }
    r.failing.forEach(function (id) {
      var c = document.createElement('code');
      c.textContent = id;
      td.appendChild(c);
      td.appendChild(document.createTextNode(' '));
    });
    cell(tr, String(r.words), 'num');
    if (showCopies) {
      // Its near-duplicates: each a link to the other's page, with their similarity.
      var cc = cell(tr, '', 'copies-cell');
      r.copies.forEach(function (c, k) {
        var other = rows[c[0]];
        if (!other) return;
        if (k) cc.appendChild(document.createElement('br'));
        var l = document.createElement('a');
        l.href = root + 'incidents/' + encodeURIComponent(other.slug) + '/';
        l.textContent = other.file + ' ' + c[1] + '%';
        cc.appendChild(l);
      });
    }
    return tr;
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); run(); });
  form.addEventListener('input', run);
  more.addEventListener('click', showMore);
  // The most-missed list filters in place once the rows are here.
  Array.prototype.forEach.call(document.querySelectorAll('a[data-fails]'), function (a) {
    a.addEventListener('click', function (e) {
      if (!probe.ready) return;
      e.preventDefault();
      form.elements.fails.value = a.getAttribute('data-fails');
      run();
      table.scrollIntoView({ block: 'start' });
    });
  });

  var s = document.createElement('script');
  s.src = form.getAttribute('data-rows');
  s.onload = function () { start(self.hindsightGrades); };
  s.onerror = failed;
  document.head.appendChild(s);
})();
