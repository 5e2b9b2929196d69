// What the browser tests share: how Chromium is started, the watchdog, the list of
// failures and how it is reported, a tab's console errors, and the page's overflow.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The system Chromium (CHROMIUM, else /usr/bin/chromium), headless, with nothing phoning
// home.
export const LAUNCH = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/** Ends the process as failed, saying so, if `what` is still running after `ms`. */
export function watchdog(what, ms) {
  const timer = setTimeout(() => {
    console.error(`FAIL: the ${what} did not finish within ${ms / 1000} s`);
    process.exit(1);
  }, ms);
  timer.unref();
}

/** Starts Chromium, or ends the process saying why it could not. */
export async function launch() {
  try {
    return await chromium.launch(LAUNCH);
  } catch (err) {
    console.error(`FAIL: could not start Chromium at ${LAUNCH.executablePath}: ${err.message.split('\n')[0]}`);
    process.exit(1);
  }
}

/** The failures of a check: `fail(where, message)` adds one; `finish` reports them and
 *  exits 1 if there are any. */
export class Failures {
  constructor(what, label) {
    this.what = what;
    this.label = label;
    this.list = [];
    this.fail = (where, message) => this.list.push(`${where}: ${message}`);
  }

  finish() {
    const head = `${this.what} [${this.label}]`;
    if (this.list.length) {
      console.log(`${head}: ${this.list.length} failure(s):`);
      for (const f of this.list) console.log(`  FAIL ${f}`);
      process.exit(1);
    }
    console.log(`${head}: ok`);
  }
}

/** The console errors and uncaught exceptions of `tab`, as they come (with where the
 *  console says they came from). */
export function consoleErrors(tab) {
  const errors = [];
  tab.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      errors.push(`console error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  tab.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return errors;
}

/** Makes `fail(where, …)` of every console error, uncaught exception and dialog of
 *  `tab` (a dialog is dismissed: a student's script may have opened it). */
export function failOnTrouble(tab, where, fail) {
  tab.on('console', (m) => m.type() === 'error' && fail(where, `console error: ${m.text()}`));
  tab.on('pageerror', (e) => fail(where, `page error: ${e.message}`));
  tab.on('dialog', async (d) => {
    fail(where, `a dialog opened (student script ran?): ${d.message()}`);
    await d.dismiss();
  });
}

/** Runs in the page: its width and the viewport's, when the page is wider (null if not). */
export function pageOverflow() {
  const doc = document.documentElement;
  return doc.scrollWidth > doc.clientWidth + 1 ? { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth } : null;
}

/** Runs `main`, reporting a crash as a failure. */
export function run(main) {
  main().catch((err) => {
    console.error(`FAIL: ${err.stack || err}`);
    process.exit(1);
  });
}

/** A check's arguments: the page to open (as a `file:` URL), the screenshots' folder
    (made) and the rest; ends the process with `usage` when the first two are missing. */
export function pageAndShots(usage) {
  const [pageArg, shotsArg, ...rest] = process.argv.slice(2);
  if (!pageArg || !shotsArg) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const shots = path.resolve(shotsArg);
  fs.mkdirSync(shots, { recursive: true });
  return { url: pathToFileURL(path.resolve(pageArg)).href, shots, rest };
}
