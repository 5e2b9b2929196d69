#!/usr/bin/env node
// The grading report of the grades fixture (tests/testsuite/grades.rs) in headless
// Chromium, opened from disk:
//   - the class's rows load and every postmortem is in the table;
//   - clicking a column's name sorts by it, clicking again the other way;
//   - the text filter, the collection, passes all / fails some and a failing check
//     narrow the rows, and a most-missed check's link filters by it;
//   - student markup stays text (no element made of it, no dialog opened);
//   - no console error, no horizontal overflow of the page; without JavaScript the
//     table is there with its rows and the filters are hidden.
// At 375 and 1280 px. Screenshots: SHOTS/<label>-<step>-<width>.png.
//
//   node report.mjs REPORT_PAGE_HTML SHOTS LABEL

import { chromium } from 'playwright-core';
import { LAUNCH, failOnTrouble, pageAndShots, watchdog } from './common.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const { url, shots, rest } = pageAndShots('node report.mjs REPORT_PAGE_HTML SHOTS LABEL');
const [label = 'site'] = rest;
watchdog('report check', 5 * 60_000);

const failures = [];
const fail = (where, msg) => failures.push(`${where}: ${msg}`);
const POOL = 'The pool that ran dry';
const ZEBRA = 'The night the queue overflowed';

const titles = (tab) => tab.$$eval('#grades tbody th a', (as) => as.map((a) => a.textContent));
const column = (tab, n) => tab.$$eval(`#grades tbody tr > :nth-child(${n})`, (cs) => cs.map((c) => c.textContent.trim()));
const renders = (tab) => tab.evaluate(() => window.hindsightReport.renders);
async function settle(tab, n) {
  await tab.waitForFunction((k) => window.hindsightReport && window.hindsightReport.renders > k, n, { timeout: 10_000 });
}
async function act(tab, what) {
  const n = await renders(tab);
  await what();
  await settle(tab, n);
}
async function overflow(tab, where) {
  const m = await tab.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  if (m.sw > m.cw + 1) fail(where, `horizontal overflow: ${m.sw}px in ${m.cw}px`);
}
const sorted = (xs, cmp) => xs.every((x, i) => i === 0 || cmp(xs[i - 1], x) <= 0);
const score = (s) => Number(s.split('/')[0]);

async function check(browser, width) {
  const where = `${label} @${width}`;
  const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  const tab = await context.newPage();
  failOnTrouble(tab, where, fail);
  try {
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForFunction(() => window.hindsightReport && window.hindsightReport.renders > 0, null, { timeout: 10_000 });
    const first = await tab.evaluate(() => window.hindsightReport.firstRenderMs);
    console.log(`${where}: rows drawn ${first.toFixed(1)} ms after the page started`);
    const all = await titles(tab);
    if (all.length !== 3) fail(where, `3 rows expected, got ${all.length}: ${all}`);
    if (!(await tab.isVisible('#report-filters'))) fail(where, 'the filters are not shown');
    const status = await tab.textContent('#report-status');
    if (!/All 3 postmortems/.test(status)) fail(where, `the status does not count 3: "${status}"`);
    const made = await tab.$$eval('#grades tbody img, #grades tbody script, #grades tbody b', (e) => e.length);
    if (made) fail(where, `${made} element(s) made of student text`);
    if (!all.some((t) => t.includes('<img src=x onerror=alert(1)>'))) fail(where, `the hostile title is not shown as text: ${all}`);
    await tab.screenshot({ path: path.join(shots, `${label}-all-${width}.png`), fullPage: true });
    await overflow(tab, `${where} all`);

    // Sort by score: most first, then (clicked again) fewest first.
    await act(tab, () => tab.click('#grades th[data-key=passed] button'));
    let scores = (await column(tab, 4)).map(score);
    if (!sorted(scores, (a, b) => b - a)) fail(where, `score, descending: ${scores}`);
    if ((await tab.getAttribute('#grades th[data-key=passed]', 'aria-sort')) !== 'descending') fail(where, 'aria-sort is not descending');
    await act(tab, () => tab.click('#grades th[data-key=passed] button'));
    scores = (await column(tab, 4)).map(score);
    if (!sorted(scores, (a, b) => a - b) || scores[0] === scores[scores.length - 1]) fail(where, `score, ascending: ${scores}`);
    // By title, A to Z.
    await act(tab, () => tab.click('#grades th[data-key=title] button'));
    const byTitle = await titles(tab);
    if (!sorted(byTitle, (a, b) => a.localeCompare(b, undefined, { sensitivity: 'base', numeric: true }))) fail(where, `titles A-Z: ${byTitle}`);
    await tab.screenshot({ path: path.join(shots, `${label}-sorted-${width}.png`), fullPage: true });

    // Filters: text, collection, passes all / fails some, a failing check.
    await act(tab, () => tab.fill('#report-filters input[name=q]', 'lovelace'));
    let got = await titles(tab);
    if (got.length !== 1 || got[0] !== POOL) fail(where, `"lovelace" should find "${POOL}" alone: ${JSON.stringify(got)}`);
    await act(tab, () => tab.fill('#report-filters input[name=q]', ''));
    await act(tab, () => tab.selectOption('select[name=collection]', 'cohort-b'));
    got = await titles(tab);
    if (got.length !== 1 || !got[0].includes('<img')) fail(where, `cohort-b should be the hostile one alone: ${JSON.stringify(got)}`);
    await act(tab, () => tab.selectOption('select[name=collection]', ''));
    await act(tab, () => tab.selectOption('select[name=status]', 'pass'));
    got = await titles(tab);
    if (got.length !== 1 || got[0] !== POOL) fail(where, `passing all should be "${POOL}" alone: ${JSON.stringify(got)}`);
    await act(tab, () => tab.selectOption('select[name=status]', 'fail'));
    got = await titles(tab);
    if (got.length !== 2 || got.includes(POOL)) fail(where, `failing some should be 2 rows without "${POOL}": ${JSON.stringify(got)}`);
    await act(tab, () => tab.selectOption('select[name=status]', ''));
    await act(tab, () => tab.selectOption('select[name=fails]', 'timeline-escalation'));
    got = await titles(tab);
    const fails = await column(tab, 6);
    if (!got.includes(ZEBRA) || got.includes(POOL) || !fails.every((f) => f.includes('timeline-escalation'))) {
      fail(where, `failing timeline-escalation: ${JSON.stringify(got)} ${JSON.stringify(fails)}`);
    }
    await tab.screenshot({ path: path.join(shots, `${label}-filtered-${width}.png`), fullPage: true });
    await overflow(tab, `${where} filtered`);
    await act(tab, () => tab.selectOption('select[name=fails]', ''));

    // A most-missed check's link filters by it, in place.
    const top = await tab.getAttribute('.missed-list a[data-fails]', 'data-fails');
    await act(tab, () => tab.click('.missed-list a[data-fails]'));
    const chosen = await tab.inputValue('select[name=fails]');
    if (chosen !== top) fail(where, `the most-missed link set the filter to "${chosen}", not "${top}"`);
    const shown = await column(tab, 6);
    if (!shown.length || !shown.every((f) => f.includes(top))) fail(where, `rows failing ${top}: ${JSON.stringify(shown)}`);
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
  const rows = await titles(tab);
  if (rows.length !== 3) fail(where, `the table should hold 3 rows, has ${rows.length}`);
  if (await tab.isVisible('#report-filters')) fail(where, 'the filters show, though nothing can run them');
  await tab.screenshot({ path: path.join(shots, `${label}-nojs-375.png`), fullPage: true });
  await overflow(tab, where);
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
  console.error(`FAIL (${failures.length}):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`${label}: the report sorts and filters at 375 and 1280 px; screenshots in ${shots}`);
