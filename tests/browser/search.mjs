#!/usr/bin/env node
// The search page of the search fixture (tests/testsuite/search.rs) in headless Chromium,
// opened from disk like every page of the browser tests:
//   - the index loads and every postmortem is listed (time to first result printed);
//   - a word of one postmortem's root cause finds that card alone, its root cause shown;
//   - a tag filter, then the passes/fails filter, narrow the cards;
//   - a search in the address (?q=...&tag=...) is taken up;
//   - student markup stays text (no element made of it, no dialog opened);
//   - no console error, no horizontal overflow; without JavaScript the page says it
//     needs it and links the listings.
// At 375 and 1280 px. Screenshots: SHOTS/<label>-<step>-<width>.png.
//
//   node search.mjs SEARCH_PAGE_HTML SHOTS LABEL WORD

import { chromium } from 'playwright-core';
import { LAUNCH, failOnTrouble, pageAndShots, watchdog } from './common.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const { url, shots, rest } = pageAndShots('node search.mjs SEARCH_PAGE_HTML SHOTS LABEL WORD');
const [label = 'site', word = 'zebrafish'] = rest;
watchdog('search check', 5 * 60_000);

const failures = [];
const fail = (where, msg) => failures.push(`${where}: ${msg}`);
const ZEBRA = 'The night the queue overflowed';
const THIN = 'Half a postmortem';

const titles = (tab) => tab.$$eval('#search-results .card-title a', (as) => as.map((a) => a.textContent));
async function settle(tab, renders) {
  await tab.waitForFunction((n) => window.hindsightSearch && window.hindsightSearch.renders > n, renders, { timeout: 10_000 });
}
const renders = (tab) => tab.evaluate(() => window.hindsightSearch.renders);

async function overflow(tab, where) {
  const m = await tab.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  if (m.sw > m.cw + 1) fail(where, `horizontal overflow: ${m.sw}px in ${m.cw}px`);
}

async function check(browser, width) {
  const where = `${label} @${width}`;
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  const tab = await context.newPage();
  failOnTrouble(tab, where, fail);
  try {
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForFunction(() => window.hindsightSearch && window.hindsightSearch.renders > 0, null, { timeout: 10_000 });
    const first = await tab.evaluate(() => window.hindsightSearch.firstResultMs);
    console.log(`${where}: first results ${first.toFixed(1)} ms after the page started`);
    const all = await titles(tab);
    if (all.length !== 4) fail(where, `with no query, 4 cards expected, got ${all.length}: ${all}`);
    const status = await tab.textContent('#search-status');
    if (!/4/.test(status)) fail(where, `the status does not count 4: "${status}"`);
    // Markup in student text is text.
    const made = await tab.$$eval('#search-results img, #search-results script, #search-results b', (e) => e.length);
    if (made) fail(where, `${made} element(s) made of student text`);
    if (!all.some((t) => t.includes('<img src=x onerror=alert(1)>'))) fail(where, `the hostile title is not shown as text: ${all}`);

    // A word of one root cause.
    let n = await renders(tab);
    const t0 = Date.now();
    await tab.fill('#search-q', word);
    await settle(tab, n);
    const typed = await tab.evaluate(() => window.hindsightSearch.lastQueryMs);
    console.log(`${where}: "${word}" answered in ${typed.toFixed(2)} ms of script (${Date.now() - t0} ms round trip)`);
    const found = await titles(tab);
    if (found.length !== 1 || found[0] !== ZEBRA) fail(where, `"${word}" should find "${ZEBRA}" alone, found ${JSON.stringify(found)}`);
    const cause = await tab.$$eval('#search-results .card-cause', (e) => e.map((x) => x.textContent));
    if (cause.length !== 1 || !cause[0].includes(word)) fail(where, `the matching root cause is not shown: ${JSON.stringify(cause)}`);
    const href = await tab.$eval('#search-results .card-title a', (a) => a.href).catch(() => '');
    if (!href.endsWith('/incidents/cohort-a-zebra/') || !fs.existsSync(new URL('index.html', href))) {
      fail(where, `the card links to ${href}, not the incident's page`);
    }
    await tab.screenshot({ path: path.join(shots, `${label}-query-${width}.png`), fullPage: true });
    await overflow(tab, `${where} query`);

    // Filters: #queue, then fails some / passes all.
    n = await renders(tab);
    await tab.fill('#search-q', '');
    await settle(tab, n);
    n = await renders(tab);
    await tab.selectOption('select[name=tag]', 'queue');
    await settle(tab, n);
    const queue = await titles(tab);
    if (queue.length !== 3 || queue.includes('The pool that ran dry')) fail(where, `#queue should give 3 cards, not the pool: ${JSON.stringify(queue)}`);
    n = await renders(tab);
    await tab.selectOption('select[name=score]', 'fail');
    await settle(tab, n);
    const failing = await titles(tab);
    if (failing.length !== 1 || failing[0] !== THIN) fail(where, `#queue failing some should be "${THIN}" alone: ${JSON.stringify(failing)}`);
    await tab.screenshot({ path: path.join(shots, `${label}-filters-${width}.png`), fullPage: true });
    n = await renders(tab);
    await tab.selectOption('select[name=score]', 'pass');
    await settle(tab, n);
    const passing = await titles(tab);
    if (passing.length !== 2 || passing.includes(THIN)) fail(where, `#queue passing all should be 2 cards without "${THIN}": ${JSON.stringify(passing)}`);
    await overflow(tab, `${where} filters`);

    // The words of a query, and a search taken from the address.
    const w = await tab.evaluate(() => window.hindsightSearch.words('  Café-DNS,  x2 '));
    if (JSON.stringify(w) !== JSON.stringify(['cafe', 'dns', 'x2'])) fail(where, `words(): ${JSON.stringify(w)}`);
    await tab.goto(`${url}?q=${encodeURIComponent(word.toUpperCase())}&tag=queue&score=pass`, { waitUntil: 'load' });
    await tab.waitForFunction(() => window.hindsightSearch && window.hindsightSearch.renders > 0, null, { timeout: 10_000 });
    const fromUrl = await titles(tab);
    const q = await tab.inputValue('#search-q');
    if (fromUrl.length !== 1 || fromUrl[0] !== ZEBRA || q !== word.toUpperCase()) {
      fail(where, `a search in the address: q="${q}", ${JSON.stringify(fromUrl)}`);
    }
  } catch (err) {
    fail(where, err.message.split('\n')[0]);
  }
  await context.close();
}

async function noScript(browser) {
  const where = `${label} without JavaScript`;
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, javaScriptEnabled: false });
  const tab = await context.newPage();
  await tab.goto(url, { waitUntil: 'load' });
  const text = await tab.textContent('.search-nojs').catch(() => '');
  if (!/needs JavaScript/.test(text || '')) fail(where, 'no word that search needs JavaScript');
  const link = await tab.$('.search-nojs a[href$="incidents/"]');
  if (!link || !(await link.isVisible())) fail(where, 'no visible link to the listings');
  await tab.screenshot({ path: path.join(shots, `${label}-nojs-375.png`), fullPage: true });
  await context.close();
}

const browser = await chromium.launch(LAUNCH);
try {
  for (const width of [375, 1280]) await check(browser, width);
  await noScript(browser);
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`search check [${label}]: ${failures.length} failure(s):`);
  for (const f of failures) console.log(`  FAIL ${f}`);
  process.exit(1);
}
console.log(`search check [${label}]: ok; screenshots in ${shots}`);
