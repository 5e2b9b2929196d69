#!/usr/bin/env node
// Opens exported postmortems (`hindsight export`) from file:// URLs in headless Chromium
// with every request recorded and every network request refused, and checks that each
// asks for nothing but itself, logs no console error, and lays out like its page in the
// built site. Saves a screenshot of each export, of its site page, and of the two side by
// side.
//
//   node export.mjs MANIFEST.json SCREENSHOT_DIR [LABEL]
//
// MANIFEST is a list of { name, export, page }: an exported file and the built site's page
// of the same postmortem (`page` null for an export checked alone). Run by tests/testsuite/browser.rs (an ignored test, run by
// .ci/run); exit status 1 on any failure.

import { Failures, consoleErrors, launch, pageOverflow, run, watchdog } from './common.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 375, height: 800 },
];
// The width the screenshots are taken at.
const SHOT_WIDTH = 1280;
// Parts of the page that must lay out as on the site's page: same box, same type.
const SAME_AS_PAGE = ['h1', '.pm-layout', '.facts', '.timeline-list', '.prose', '#checks', 'svg.tl-h', 'svg.tl-v'];
const PAGE_TIMEOUT_MS = 30_000;
const WATCHDOG_MS = 10 * 60_000;

const [manifestArg, shotsArg, labelArg] = process.argv.slice(2);
if (!manifestArg || !shotsArg) {
  console.error('usage: node export.mjs MANIFEST.json SCREENSHOT_DIR [LABEL]');
  process.exit(2);
}
const pairs = JSON.parse(fs.readFileSync(manifestArg, 'utf8'));
const shotsDir = path.resolve(shotsArg);
const label = labelArg || 'export';

watchdog('export check', WATCHDOG_MS);

const failures = new Failures('export check', label);
const { fail } = failures;

/** Runs in the page: the box and type of each SAME_AS_PAGE part, and its images. */
function measure(selectors) {
  const parts = {};
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (!el) continue;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    parts[sel] = {
      width: Math.round(r.width),
      height: Math.round(r.height),
      display: s.display,
      font: `${s.fontFamily} ${s.fontSize} ${s.fontWeight}`,
      color: s.color,
      background: s.backgroundColor,
    };
  }
  return {
    parts,
    images: [...document.images].map((img) => ({ src: img.src.slice(0, 40), shown: img.complete && img.naturalWidth > 0 })),
    bodyBackground: getComputedStyle(document.body).backgroundColor,
  };
}

/** Opens `file` in a new tab of `context`: what it asked for, its console errors, its measures. */
async function open(context, file, shot) {
  const own = pathToFileURL(file).href;
  const tab = await context.newPage();
  const requests = [];
  tab.on('request', (r) => requests.push(r.url()));
  const errors = consoleErrors(tab);
  try {
    await tab.goto(own, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    await tab.evaluate(() => document.fonts.ready.then(() => true));
    // Whatever a page would still ask for once it has settled.
    await tab.waitForTimeout(200);
    const m = await tab.evaluate(measure, SAME_AS_PAGE);
    m.overflow = await tab.evaluate(pageOverflow);
    if (shot) await tab.screenshot({ path: shot, fullPage: true });
    return { own, requests, errors, m };
  } finally {
    await tab.close();
  }
}

/** One image of the two screenshots side by side, each at half size. */
async function sideBySide(browser, left, right, out) {
  const tab = await browser.newPage({ viewport: { width: 1300, height: 800 }, deviceScaleFactor: 1 });
  const img = (f) => `data:image/png;base64,${fs.readFileSync(f).toString('base64')}`;
  await tab.setContent(
    `<body style="margin:0;background:#888;font:14px sans-serif">
      <div style="display:flex;gap:20px;align-items:flex-start;padding:10px">
        <figure style="margin:0;width:640px"><figcaption>export (file://, nothing else loaded)</figcaption><img style="width:640px" src="${img(left)}"></figure>
        <figure style="margin:0;width:640px"><figcaption>site page</figcaption><img style="width:640px" src="${img(right)}"></figure>
      </div></body>`,
  );
  await tab.screenshot({ path: out, fullPage: true });
  await tab.close();
}

/** The checker itself: an export with a stylesheet from the network and an image beside
 *  it put back in must be caught asking for both, with console errors. */
async function selfCheck(browser) {
  const html = fs.readFileSync(pairs[0].export, 'utf8');
  const bad = path.join(path.dirname(pairs[0].export), 'self-check.html');
  fs.writeFileSync(
    bad,
    html.replace('</head>', '<link rel="stylesheet" href="https://cdn.example/x.css"></head>').replace('<main', '<img src="beside.png"><main'),
  );
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort();
  });
  const r = await open(context, bad, null);
  await context.close();
  fs.rmSync(bad);
  const asked = r.requests.filter((u) => u !== r.own);
  const caught = ['https://cdn.example/x.css', 'beside.png'].every((w) => asked.some((u) => u.endsWith(w)));
  if (!caught || r.errors.length < 2) {
    fail('self-check', `a page that asks for a stylesheet and an image was not caught: requests ${asked}, errors ${r.errors}`);
  }
}

async function main() {
  const started = Date.now();
  fs.mkdirSync(shotsDir, { recursive: true });
  const browser = await launch();
  let loads = 0;
  try {
    await selfCheck(browser);
    for (const vp of VIEWPORTS) {
      const context = await browser.newContext({ viewport: vp, deviceScaleFactor: 1, colorScheme: 'light' });
      // Nothing may reach the network: every request but a file's or data's is refused
      // (and, for an export, recorded as a failure below).
      await context.route('**/*', (route) => {
        const url = route.request().url();
        return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort();
      });
      for (const p of pairs) {
        const where = `${label} ${p.name} @${vp.width}`;
        const shoot = vp.width === SHOT_WIDTH;
        const exportShot = path.join(shotsDir, `${label}-${p.name}-export.png`);
        const pageShot = path.join(shotsDir, `${label}-${p.name}-site.png`);
        try {
          const e = await open(context, p.export, shoot && exportShot);
          loads += 1;
          const asked = e.requests.filter((u) => u !== e.own && !u.startsWith('data:'));
          for (const u of asked) fail(where, `the export asked for ${u}`);
          for (const err of e.errors) fail(where, err);
          if (e.m.overflow) fail(where, `horizontal overflow: ${e.m.overflow.scrollWidth}px in ${e.m.overflow.clientWidth}px`);
          for (const img of e.m.images.filter((i) => !i.shown)) fail(where, `an image is not shown: ${img.src}`);
          if (!p.page) continue;
          const s = await open(context, p.page, shoot && pageShot);
          loads += 1;
          // The site's page asks for its stylesheets: proof that requests are seen.
          if (s.requests.length < 2) fail(where, `no request of the site's page was seen (${s.requests})`);
          if (e.m.bodyBackground !== s.m.bodyBackground) {
            fail(where, `body background ${e.m.bodyBackground}, the site's page has ${s.m.bodyBackground}`);
          }
          for (const sel of SAME_AS_PAGE) {
            const a = e.m.parts[sel];
            const b = s.m.parts[sel];
            if (!a && !b) continue;
            if (!a || !b) {
              fail(where, `${sel} is ${a ? '' : 'missing from the export'}${b ? '' : 'missing from the site page'}`);
              continue;
            }
            for (const k of ['width', 'height', 'display', 'font', 'color', 'background']) {
              if (a[k] !== b[k]) fail(where, `${sel} ${k} is ${a[k]} in the export, ${b[k]} on the site's page`);
            }
          }
          if (shoot) {
            await sideBySide(browser, exportShot, pageShot, path.join(shotsDir, `${label}-${p.name}-side-by-side.png`));
          }
        } catch (err) {
          fail(where, `could not load or measure: ${err.message.split('\n')[0]}`);
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `export check [${label}]: ${pairs.length} exports, ${loads} page loads at ${VIEWPORTS.map((v) => v.width).join(' and ')} px, ` +
      `screenshots in ${shotsDir}, ${secs} s`,
  );
  failures.finish();
}

run(main);
