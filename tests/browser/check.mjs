#!/usr/bin/env node
// Loads a built Hindsight gallery in headless Chromium and checks what a reader would see:
// no console errors, no horizontal overflow at phone and desktop widths, the timeline
// diagram drawn in the orientation meant for the width. Saves a full-page screenshot of
// each page at each width.
//
//   node check.mjs SITE_PUBLIC_DIR SCREENSHOT_DIR [LABEL]
//
// Pages load from file:// URLs (the site's links are relative): no server. Chromium is the
// system one (CHROMIUM, else /usr/bin/chromium), driven by playwright-core.
// Run by tests/testsuite/browser.rs (an ignored test, run by .ci/run); exit status 1 on any failure.

import { Failures, consoleErrors, launch, pageOverflow, run, watchdog } from './common.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------
// What is checked: data. A required page that is missing is a failure; an optional one is
// checked when it exists (make it required once it has landed).
//
//   path      a page under the public folder, or
//   incident  'first' (the first incidents/<slug>/ by slug) or a string the slug contains
//   dark      also check it with prefers-color-scheme: dark at DARK_WIDTH
//   shows     selectors of elements the page must show (present, with a box)
// ---------------------------------------------------------------------------------------
const PAGES = [
  { name: 'index', path: 'index.html', required: true, dark: true, shows: ['.grid .card', '.all-incidents a'] },
  { name: 'incidents', path: 'incidents/index.html', required: true, dark: true, shows: ['.grid .card'] },
  { name: 'postmortem', incident: 'first', required: true, dark: true, shows: ['.related li a'] },
  { name: 'postmortem-disk-full', incident: 'log-volume-disk-full', required: false, dark: true },
  { name: 'report', path: 'report/index.html', required: true },
  { name: 'tags', path: 'tags/index.html', required: true },
  { name: 'search', path: 'search/index.html', required: true, dark: true },
  { name: 'insights', path: 'insights/index.html', required: false },
];

// Theme bugs already reported and owned by someone: elements matching `selector` on `page`
// that stick out past the viewport are listed as KNOWN, not failed, while the overflow is
// theirs alone (any other offender still fails). Remove an entry once it is fixed; the
// summary says when one is no longer seen.
const KNOWN_ISSUES = [
  // { page: 'report', selector: '.report .sr', why: 'what is wrong and why it is tolerated for now' },
];

const VIEWPORTS = [
  { width: 375, height: 800 },
  { width: 1280, height: 900 },
];
const DARK_WIDTH = 1280;

// The timeline diagram: svg.tl-h is meant for wide screens, svg.tl-v for narrow ones.
const NARROW_BELOW = 641;

const PAGE_TIMEOUT_MS = 30_000;
const WATCHDOG_MS = 10 * 60_000;

// ---------------------------------------------------------------------------------------

const [publicArg, shotsArg, labelArg] = process.argv.slice(2);
if (!publicArg || !shotsArg) {
  console.error('usage: node check.mjs SITE_PUBLIC_DIR SCREENSHOT_DIR [LABEL]');
  process.exit(2);
}
const publicDir = path.resolve(publicArg);
const shotsDir = path.resolve(shotsArg);
const label = labelArg || 'site';

watchdog('browser check', WATCHDOG_MS);

const failures = new Failures('browser check', label);
const { fail } = failures;
const knownSeen = [];

/** Resolves PAGES against the built site: [{name, file, rel}], missing ones reported. */
function resolvePages() {
  const found = [];
  const seen = new Set();
  const incidentsDir = path.join(publicDir, 'incidents');
  const slugs = fs.existsSync(incidentsDir)
    ? fs
        .readdirSync(incidentsDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(incidentsDir, e.name, 'index.html')))
        .map((e) => e.name)
        .sort()
    : [];
  for (const spec of PAGES) {
    let rel = spec.path;
    if (spec.incident) {
      const slug = spec.incident === 'first' ? slugs[0] : slugs.find((s) => s.includes(spec.incident));
      rel = slug && `incidents/${slug}/index.html`;
    }
    const what = rel || `incidents/<slug containing "${spec.incident}">/index.html`;
    if (!rel || !fs.existsSync(path.join(publicDir, rel))) {
      if (spec.required) fail(`${label} ${spec.name}`, `required page ${what} is missing from ${publicDir}`);
      else console.log(`  (optional page ${what} not built yet: not checked)`);
      continue;
    }
    if (seen.has(rel)) continue;
    seen.add(rel);
    found.push({ ...spec, rel, file: path.join(publicDir, rel) });
  }
  return found;
}

/** Runs in the page: overflow, worst offending element, timeline diagram boxes. */
function measure({ narrowBelow, knownSelectors, shows }) {
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  const describe = (el) => {
    const cls = typeof el.className === 'string' ? el.className : el.getAttribute('class') || '';
    const id = el.id ? `#${el.id}` : '';
    const classes = cls.trim() ? '.' + cls.trim().split(/\s+/).join('.') : '';
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
    return `<${el.tagName.toLowerCase()}${id}${classes}>${text ? ` "${text}"` : ''}`;
  };
  const scrolls = (el) => {
    const ox = getComputedStyle(el).overflowX;
    return ox === 'auto' || ox === 'scroll';
  };
  // The element's containing block (approximately, as CSS 2 + transforms define it): what
  // clips it. An absolutely positioned element escapes a scroll container that is not
  // positioned, so it can overflow the page from inside a table-scroll box.
  const containingBlock = (el) => {
    const pos = getComputedStyle(el).position;
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (pos !== 'absolute' && pos !== 'fixed') return p;
      const s = getComputedStyle(p);
      if (
        s.transform !== 'none' ||
        s.perspective !== 'none' ||
        s.filter !== 'none' ||
        /paint|layout|strict|content/.test(s.contain) ||
        (pos === 'absolute' && s.position !== 'static')
      ) {
        return p;
      }
    }
    return null;
  };
  const insideScroller = (el) => {
    for (let p = containingBlock(el); p && p !== doc && p !== document.body; p = containingBlock(p)) {
      if (scrolls(p)) return true;
    }
    return false;
  };
  let worst = null;
  let offenders = 0;
  const known = {};
  let knownRight = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const over = r.right - vw;
    if (over <= 1 || insideScroller(el)) continue;
    const sel = knownSelectors.find((k) => el.matches(k));
    if (sel) {
      known[sel] = (known[sel] || 0) + 1;
      knownRight = Math.max(knownRight, r.right);
      continue;
    }
    offenders++;
    if (!worst || over > worst.over) {
      worst = { over: Math.round(over), right: Math.round(r.right), what: describe(el) };
    }
  }
  const hidden = (el) => {
    for (let p = el; p; p = p.parentElement) {
      if (getComputedStyle(p).display === 'none') return true;
    }
    return false;
  };
  const svgs = [...document.querySelectorAll('svg.tl-svg')].map((el) => {
    const r = el.getBoundingClientRect();
    return {
      kind: el.classList.contains('tl-h') ? 'tl-h' : el.classList.contains('tl-v') ? 'tl-v' : '?',
      width: Math.round(r.width),
      height: Math.round(r.height),
      hidden: hidden(el),
    };
  });
  const missing = shows.filter((sel) => {
    const el = document.querySelector(sel);
    return !el || el.getBoundingClientRect().height === 0;
  });
  return {
    vw,
    narrow: vw < narrowBelow,
    worst,
    missing,
    offenders,
    known,
    knownRight,
    svgs,
  };
}

async function checkPage(context, page, spec, vp, scheme) {
  const suffix = scheme === 'dark' ? '-dark' : '';
  const where = `${label} ${spec.name} @${vp.width}${suffix} (${spec.rel})`;
  const tab = await context.newPage();
  const errors = consoleErrors(tab);
  try {
    await tab.goto(pathToFileURL(spec.file).href, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    await tab.evaluate(() => document.fonts.ready.then(() => true));
    const knownHere = KNOWN_ISSUES.filter((k) => k.page === spec.name);
    const m = await tab.evaluate(measure, {
      narrowBelow: NARROW_BELOW,
      knownSelectors: knownHere.map((k) => k.selector),
      shows: spec.shows || [],
    });
    const over = await tab.evaluate(pageOverflow);

    for (const e of errors) fail(where, e);
    for (const k of knownHere) {
      if (m.known[k.selector]) {
        k.seen = true;
        knownSeen.push(`${where}: ${m.known[k.selector]} element(s) ${k.selector} past the viewport: ${k.why}`);
      }
    }
    const overflowIsKnown = over && !m.worst && m.knownRight >= over.scrollWidth - 1;
    if (over && !overflowIsKnown) {
      fail(where, `horizontal overflow: page is ${over.scrollWidth}px wide in a ${over.clientWidth}px viewport`);
    }
    for (const sel of m.missing) fail(where, `nothing shown for ${sel}`);
    if (m.worst) {
      fail(
        where,
        `${m.offenders} element(s) extend past the ${m.vw}px viewport; worst by ${m.worst.over}px ` +
          `(right edge at ${m.worst.right}px): ${m.worst.what}`,
      );
    }
    if (m.svgs.length) {
      const want = m.narrow ? 'tl-v' : 'tl-h';
      const other = m.narrow ? 'tl-h' : 'tl-v';
      const shown = m.svgs.filter((s) => s.kind === want);
      if (!shown.length) fail(where, `the timeline diagram has no svg.${want} for this width`);
      for (const s of shown) {
        if (s.hidden || s.width === 0 || s.height === 0) {
          fail(where, `svg.${want} should show at ${m.vw}px but its box is ${s.width}x${s.height}${s.hidden ? ' (display: none)' : ''}`);
        }
      }
      for (const s of m.svgs.filter((s) => s.kind === other)) {
        if (!s.hidden) fail(where, `svg.${other} should be display: none at ${m.vw}px but is ${s.width}x${s.height}`);
      }
      for (const s of m.svgs.filter((s) => s.kind === '?')) {
        fail(where, 'an svg.tl-svg has neither class tl-h nor tl-v');
      }
    }
    const shot = path.join(shotsDir, `${label}-${spec.name}-${vp.width}${suffix}.png`);
    await tab.screenshot({ path: shot, fullPage: true });
    page.shots.push(shot);
  } catch (err) {
    fail(where, `could not load or measure: ${err.message.split('\n')[0]}`);
  } finally {
    await tab.close();
  }
}

async function main() {
  const started = Date.now();
  if (!fs.existsSync(path.join(publicDir, 'index.html'))) {
    console.error(`FAIL: ${publicDir} holds no index.html: build the site first`);
    process.exit(1);
  }
  fs.mkdirSync(shotsDir, { recursive: true });
  const pages = resolvePages();
  const runs = [];
  for (const vp of VIEWPORTS) runs.push({ vp, scheme: 'light', pages });
  runs.push({
    vp: VIEWPORTS.find((v) => v.width === DARK_WIDTH),
    scheme: 'dark',
    pages: pages.filter((p) => p.dark),
  });

  const browser = await launch();
  const state = { shots: [] };
  let checked = 0;
  try {
    for (const run of runs) {
      const context = await browser.newContext({
        viewport: run.vp,
        deviceScaleFactor: 1,
        colorScheme: run.scheme,
      });
      for (const spec of run.pages) {
        await checkPage(context, state, spec, run.vp, run.scheme);
        checked++;
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }

  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `browser check [${label}]: ${pages.map((p) => p.name).join(', ')}; ` +
      `${checked} page loads at ${VIEWPORTS.map((v) => v.width).join(' and ')} px (+ dark at ${DARK_WIDTH}), ` +
      `${state.shots.length} screenshots in ${shotsDir}, ${secs} s`,
  );
  for (const k of knownSeen) console.log(`  KNOWN (not failing) ${k}`);
  for (const k of KNOWN_ISSUES.filter((k) => !k.seen && pages.some((p) => p.name === k.page))) {
    console.log(`  known issue no longer seen, remove it from KNOWN_ISSUES: ${k.page} ${k.selector}`);
  }
  failures.finish();
}

run(main);
