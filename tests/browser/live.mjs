#!/usr/bin/env node
// Live reload as a writer sees it: opens a page served by `hindsight serve` in headless
// Chromium and waits, without ever reloading it itself, for the page to change as the
// test edits files. Steps, each announced on stdout when reached, so the test driving
// this script (tests/testsuite/browser.rs) knows when to make its next edit:
//
//   READY     the page is open and listening for reloads   → the test edits the file
//   UPDATED   the page shows NEW_TEXT                       → the test breaks the file
//   OVERLAY   the problem overlay is shown over the page as it was (screenshot)
//                                                           → the test fixes the file
//   CLEARED   the overlay is gone and FIXED_TEXT is shown
//
//   node live.mjs URL NEW_TEXT FIXED_TEXT SCREENSHOT_DIR
//
// Exit status 1, with the reason, when a step does not come or the console has errors.

import { chromium } from 'playwright-core';
import { LAUNCH } from './common.mjs';
import path from 'node:path';

const [url, newText, fixedText, shotsArg] = process.argv.slice(2);
if (!url || !newText || !fixedText || !shotsArg) {
  console.error('usage: node live.mjs URL NEW_TEXT FIXED_TEXT SCREENSHOT_DIR');
  process.exit(2);
}
const STEP_TIMEOUT_MS = 30_000;

const browser = await chromium.launch(LAUNCH);
const errors = [];
let status = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  let loads = 0;
  page.on('load', () => loads++);
  await page.goto(url, { waitUntil: 'load' });
  // The reload script's EventSource must be connected before the first edit.
  await page.waitForFunction(() => window.__hindsightEvents && window.__hindsightEvents.readyState === 1, null, {
    timeout: STEP_TIMEOUT_MS,
  });
  console.log('READY');

  const step = async (name, fn, arg) => {
    try {
      await page.waitForFunction(fn, arg, { timeout: STEP_TIMEOUT_MS, polling: 100 });
    } catch (e) {
      throw new Error(`${name} never came: ${e.message.split('\n')[0]}`);
    }
  };
  await step('the edited text', (t) => document.body.innerText.includes(t), newText);
  console.log('UPDATED');
  // The file is saved broken: the overlay says so over the last good version.
  await step(
    'the problem overlay over the last good page',
    (t) => !!document.getElementById('hindsight-overlay') && document.body.innerText.includes(t),
    newText,
  );
  await page.screenshot({ path: path.join(path.resolve(shotsArg), 'live-overlay.png') });
  console.log('OVERLAY');
  await step(
    'the page without the overlay',
    (t) => !document.getElementById('hindsight-overlay') && document.body.innerText.includes(t),
    fixedText,
  );
  console.log('CLEARED');
  if (loads < 4) throw new Error(`the page loaded ${loads} times; expected the first load and three reloads`);
  if (errors.length) throw new Error(`console errors:\n  ${errors.join('\n  ')}`);
} catch (e) {
  console.error(`FAIL: ${e.message}`);
  status = 1;
} finally {
  await browser.close();
}
process.exit(status);
