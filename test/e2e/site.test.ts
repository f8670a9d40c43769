/**
 * The built study site in real Chromium (Debian's /usr/bin/chromium via playwright-core), opened from disk
 * and through `lab site serve`: no console errors, diagrams become SVG, links resolve, Korean search works,
 * the progress view shows a given results file. Screenshots go to test-results/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cli, testPortBase, useTempLabHome } from '../helpers.ts';
import { main } from '../../src/cli/main.ts';
import { loadTopic } from '../../src/engine/catalogue.ts';
import { rootDir } from '../../src/engine/paths.ts';
import { nonEmpty } from '../non-empty.ts';

const CHROMIUM = '/usr/bin/chromium';
const shots = path.join(rootDir, 'test-results');

let out: string;
let browser: Browser;
let ctx: BrowserContext;
let pages: string[];
let checkIds: string[];

// playwright's launch() always starts Chromium on a fresh temporary --user-data-dir of its own.
function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens a page, failing on any console error, page error, or request that leaves the machine. */
async function open(url: string, context = ctx): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()}`));
  page.on('request', (r) => {
    if (!/^(file:|http:\/\/127\.0\.0\.1|data:|blob:)/.test(r.url())) errors.push(`network: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  if ((await page.locator('pre.mermaid').count()) > 0) {
    await page.waitForFunction(() => document.documentElement.getAttribute('data-mermaid') !== null, undefined, { timeout: 30_000 });
  }
  return { page, errors };
}

const fileUrl = (f: string) => pathToFileURL(path.join(out, f)).href;

beforeAll(async () => {
  useTempLabHome('site-e2e-');
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'site-out-'));
  const checker = await (await loadTopic('ha-failover')).checker();
  checkIds = checker.checks.map((c) => c.id);
  // What `lab check ha-failover --json` prints: two passed, the rest failed (why/fix must not reach the site).
  const results = {
    topic: 'ha-failover',
    platform: 'local',
    ok: false,
    passed: 2,
    failed: checkIds.length - 2,
    results: checkIds.map((id, i) => ({ id, title: id, ok: i < 2, ...(i < 2 ? {} : { why: 'WHY-TEXT-MUST-NOT-LEAK', fix: 'FIX-TEXT' }) })),
  };
  const resultsFile = path.join(out, '..', `results-${path.basename(out)}.json`);
  fs.writeFileSync(resultsFile, JSON.stringify(results));
  const r = await cli('site', 'build', '--out', out, '--results', resultsFile);
  expect(r.code, r.stderr).toBe(0);
  // The preview tip serves the folder just built, not the default one.
  expect(r.stdout).toContain(`npx lab site serve --out ${out}`);
  pages = ['index.html', ...fs.readdirSync(out).filter((f) => f.endsWith('.html') && f !== 'index.html')];
  browser = await launch();
  ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, colorScheme: 'light' });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
  fs.mkdirSync(shots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (out) fs.rmSync(out, { recursive: true, force: true });
  if (out) fs.rmSync(path.join(out, '..', `results-${path.basename(out)}.json`), { force: true });
});

describe('study site in Chromium (file://)', () => {
  it('has the index and all eight lessons', () => {
    expect(pages.sort()).toEqual(['glossary.html', 'ha-failover.html', 'index.html', 'k8s-auth.html', 'ldap.html', 'mcp.html', 'production.html', 'tls.html', 'vault-k8s.html', 'vso.html']);
  });

  const ids = new Map<string, Set<string>>();
  const links: { from: string; href: string }[] = [];

  it('every page loads with no console error and every mermaid diagram becomes an SVG', async () => {
    let diagrams = 0;
    for (const f of nonEmpty(pages)) {
      const { page, errors } = await open(fileUrl(f));
      ids.set(f, new Set(await page.$$eval('[id]', (els) => els.map((e) => e.id))));
      for (const href of await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')!))) links.push({ from: f, href });
      if (f === 'ldap.html') await page.locator('pre.mermaid').first().screenshot({ path: path.join(shots, 'site-diagram.png') });
      expect(await page.getAttribute('html', 'lang')).toBe('ko');
      const n = await page.locator('pre.mermaid').count();
      if (n) {
        expect(await page.getAttribute('html', 'data-mermaid'), f).toBe('done');
        expect(await page.locator('pre.mermaid > svg').count(), f).toBe(n);
        // A mermaid parse failure renders an SVG too, with "Syntax error" text: that must not happen.
        expect(await page.locator('pre.mermaid').allInnerTexts(), f).not.toContainEqual(expect.stringMatching(/syntax error/i));
      }
      diagrams += n;
      expect(await page.locator('pre.code .copy').count(), f).toBe(await page.locator('pre.code').count());
      expect(errors, f).toEqual([]);
      await page.close();
    }
    expect(diagrams).toBeGreaterThanOrEqual(5);
  });

  it('every internal link resolves to a page and an element', () => {
    expect(ids.size).toBe(pages.length);
    expect(links.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const { from, href } of links) {
      // External links may exist (they are never fetched: the request guard in open() proves that).
      if (/^[a-z]+:/i.test(href)) continue;
      const [file, hash] = href.split('#') as [string, string | undefined];
      const target = file === '' ? from : file;
      if (!ids.has(target)) bad.push(`${from}: ${href} (no page ${target})`);
      else if (hash && !ids.get(target)!.has(decodeURIComponent(hash))) bad.push(`${from}: ${href} (no #${decodeURIComponent(hash)})`);
    }
    expect(bad).toEqual([]);
  });

  it('search finds a Korean term on the right page', async () => {
    const { page, errors } = await open(fileUrl('index.html'));
    await page.fill('#q', '과반수');
    const first = page.locator('#results li a').first();
    await first.waitFor();
    expect(await first.getAttribute('data-page')).toBe('ha-failover.html');
    const pagesHit = new Set(await page.$$eval('#results li a', (as) => as.map((a) => a.getAttribute('data-page'))));
    // The glossary defines the term too; no other lesson uses it.
    expect([...pagesHit].sort()).toEqual(['glossary.html', 'ha-failover.html']);
    await Promise.all([page.waitForURL(/ha-failover\.html#/), first.click()]);
    const hash = decodeURIComponent(new URL(page.url()).hash.slice(1));
    // The section the result points at really contains the term.
    const section = await page.evaluate((id) => {
      const h = document.getElementById(id)!;
      let text = h.textContent ?? '';
      for (let n = h.nextElementSibling; n && !/^H[23]$/.test(n.tagName); n = n.nextElementSibling) text += n.textContent ?? '';
      return text;
    }, hash);
    expect(section).toContain('과반수');
    // A particle-attached form (no spaces in Korean) still matches, and nonsense finds nothing.
    await page.fill('#q', '봉인 해제');
    await page.locator('#results li a').first().waitFor();
    expect(await page.locator('#results li a[data-page="production.html"]').count()).toBeGreaterThan(0);
    await page.fill('#q', '존재하지않는낱말');
    await expect.poll(() => page.locator('#results li.none').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the progress view reflects the given results file', async () => {
    const { page } = await open(fileUrl('index.html'));
    const card = page.locator('.topic-card[data-topic="ha-failover"] .progress');
    expect(await card.getAttribute('data-ok')).toBe('2');
    expect(await card.getAttribute('data-total')).toBe(String(checkIds.length));
    expect(await card.innerText()).toContain(`2/${checkIds.length} 통과`);
    expect(await page.locator('.topic-card[data-topic="vault-k8s"] .progress.none').count()).toBe(1);
    await page.screenshot({ path: path.join(shots, 'site-index.png'), fullPage: true });
    await page.close();

    const lesson = await open(fileUrl('ha-failover.html'));
    for (const [i, id] of nonEmpty(checkIds.entries())) {
      const mark = lesson.page.locator(`#check-${id} .st`);
      expect(await mark.getAttribute('class'), id).toBe(i < 2 ? 'st ok' : 'st fail');
    }
    expect(await lesson.page.locator('.progress-line').innerText()).toContain(`2/${checkIds.length}`);
    await lesson.page.screenshot({ path: path.join(shots, 'site-lesson.png') });
    await lesson.page.close();
    for (const f of nonEmpty(pages)) expect(fs.readFileSync(path.join(out, f), 'utf8')).not.toContain('WHY-TEXT-MUST-NOT-LEAK');
  });

  it('copy buttons put the exact code on the clipboard', async () => {
    const { page, errors } = await open(fileUrl('ha-failover.html'));
    const block = page.locator('#step-init pre.code');
    await block.locator('.copy').click();
    await expect.poll(() => block.locator('.copy').innerText()).toBe('복사됨');
    const copied = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
    expect(copied?.trim()).toBe((await block.locator('code').innerText()).trim());
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reads on a phone and in dark mode', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'dark' });
    const { page, errors } = await open(fileUrl('k8s-auth.html'), phone);
    // Nothing wider than the screen: long commands scroll inside their code block.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.locator('#sitenav').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(shots, 'site-phone-dark.png') });
    await page.click('.menu');
    expect(await page.locator('#sitenav').isVisible()).toBe(true);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(13, 17, 23)');
    expect(errors).toEqual([]);
    await phone.close();
  });
});

describe('lab site serve', () => {
  it('serves the site on 127.0.0.1 and stops on Ctrl-C (abort)', async () => {
    const port = testPortBase() + 90;
    const ac = new AbortController();
    let stdout = '';
    const done = main(['site', 'serve', '--port', String(port), '--out', out], { stdout: { write: (s: string) => void (stdout += s) }, stderr: { write: () => undefined }, signal: ac.signal });
    const base = `http://127.0.0.1:${port}/`;
    await expect.poll(async () => (await fetch(base).catch(() => undefined))?.status, { timeout: 10_000 }).toBe(200);
    expect(stdout).toContain(base);
    const { page, errors } = await open(`${base}ha-failover.html`);
    expect(await page.locator('pre.mermaid > svg').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
    expect((await fetch(`${base}..%2f..%2fetc/passwd`)).status).not.toBe(200);
    expect((await fetch(`${base}nope.html`)).status).toBe(404);
    ac.abort();
    expect(await done).toBe(0);
    await expect(fetch(base)).rejects.toThrow();
  });
});
