// Browser smoke test of the OpenIKZ web UI: Debian chromium driven by playwright-core, every page checked
// with axe (WCAG 2.0/2.1 A and AA). Prints a JSON summary and exits 1 on any violation or failed check.
//
//   BASE_URL=http://127.0.0.1:5099 E2E_USERNAME=frankenthal.admin E2E_PASSWORD=… node smoke.mjs
//
// Environment: BASE_URL, E2E_USERNAME (an account with the role Administration), E2E_PASSWORD,
// E2E_CLERK_USERNAME (a clerk with Kfz-Zulassung, default frankenthal.sachbearbeitung) and E2E_LEAD_USERNAME
// (a team lead, default ludwigshafen.teamleitung), E2E_COORDINATOR_USERNAME (Koordination of Thale, default
// thale.koordination) and E2E_SETTLEMENT_USERNAME (Koordination of a member of a settled demo agreement, default
// frankenthal.koordination), E2E_REGION_USERNAME (Koordination of the coordinating member of the demo Kooperationsraum,
// default speyer.koordination), all with E2E_PASSWORD,
// CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR (optional: full-page PNG of every checked page).
import { chromium, request } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const baseUrl = (process.env.BASE_URL ?? 'http://127.0.0.1:5080').replace(/\/$/, '');
const username = process.env.E2E_USERNAME ?? '';
const password = process.env.E2E_PASSWORD ?? '';
const clerkUsername = process.env.E2E_CLERK_USERNAME || 'frankenthal.sachbearbeitung';
const leadUsername = process.env.E2E_LEAD_USERNAME || 'ludwigshafen.teamleitung';
const coordinatorUsername = process.env.E2E_COORDINATOR_USERNAME || 'thale.koordination';
const settlementUsername = process.env.E2E_SETTLEMENT_USERNAME || 'frankenthal.koordination';
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const screenshotDir = process.env.SCREENSHOT_DIR || '';
const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const pages = [];
const failures = [];
const titles = new Map();

function check(condition, message) {
  if (!condition) failures.push(message);
  return condition;
}

/** Runs axe and the page-level checks (title, one h1, no CSP errors) on the page as it is now. */
async function audit(page, name, cspErrors) {
  const url = page.url().replace(baseUrl, '') || '/';
  const result = await new AxeBuilder({ page }).withTags(axeTags).analyze();
  const violations = result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
  pages.push({ url, name, violations });
  check(violations.length === 0, `${name}: ${violations.length} axe violation(s)`);

  const title = await page.title();
  check(/ – OpenIKZ$/.test(title), `${name}: title "${title}" does not end with " – OpenIKZ"`);
  const path = new URL(page.url()).pathname;
  if (titles.has(title) && titles.get(title) !== path) failures.push(`${name}: title "${title}" also used by ${titles.get(title)}`);
  titles.set(title, path);
  check(await page.locator('h1').count() === 1, `${name}: expected exactly one h1`);
  check(await page.locator('html[lang="de"]').count() === 1, `${name}: html lang is not "de"`);
  check(cspErrors.length === 0, `${name}: Content-Security-Policy violations: ${cspErrors.join(' | ')}`);
  cspErrors.length = 0;

  if (screenshotDir) {
    mkdirSync(screenshotDir, { recursive: true });
    const file = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') + '.png';
    await page.screenshot({ path: join(screenshotDir, file), fullPage: true });
  }
}

// The page at 390 px: no horizontal overflow and no axe violation; back to 1280 px afterwards.
async function atNarrowWidth(page, name, cspErrors) {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `${name} at 390 px: ${overflow} px horizontal overflow`);
  await audit(page, name + ' (390 px)', cspErrors);
  await page.setViewportSize({ width: 1280, height: 800 });
}

const stepTimes = [];
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    failures.push(`${name}: ${error.message.split('\n')[0]}`);
  }
  stepTimes.push([name, Date.now() - started]);
  if (process.env.E2E_TIMES) console.error(`step ${name}: ${Date.now() - started} ms`);
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

try {
  // A local test server over HTTPS (the cookies are Secure-only) uses a self-signed certificate.
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(baseUrl).hostname);
  const context = await browser.newContext({ baseURL: baseUrl, locale: 'de-DE', timezoneId: 'Europe/Berlin', ignoreHTTPSErrors: loopback });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const cspErrors = [];
  page.on('console', msg => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text());
  });

  await step('Startseite', async () => {
    const response = await page.goto('/');
    check(response?.status() === 200, `Startseite: status ${response?.status()}`);
    check(await page.getByRole('link', { name: 'Anmelden' }).first().isVisible(), 'Startseite: no "Anmelden" link');
    await audit(page, 'Startseite', cspErrors);
  });

  await step('Impressum, Datenschutz, Barrierefreiheit, Hilfe (1280 und 390 px)', async () => {
    for (const [path, heading] of [['/Impressum', 'Impressum'], ['/Datenschutz', 'Datenschutzerklärung'],
      ['/Barrierefreiheit', 'Erklärung zur Barrierefreiheit'], ['/Hilfe', 'OpenIKZ – Benutzerhandbuch']]) {
      const response = await page.goto(path);
      check(response?.status() === 200, `${path}: status ${response?.status()}`);
      check(await page.getByRole('heading', { level: 1, name: heading }).isVisible(), `${path}: no h1 "${heading}"`);
      check(await page.locator(`footer a[href="${path}"]`).count() === 1, `${path}: not linked from the footer`);
      await audit(page, heading, cspErrors);
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      check(overflow <= 0, `${path} at 390 px: ${overflow} px horizontal overflow`);
      await audit(page, heading + ' (390 px)', cspErrors);
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  await step('Termin buchen (ohne Anmeldung, 1280 und 390 px)', async () => {
    await page.goto('/Termine');
    await audit(page, 'Termin buchen', cspErrors);
    await page.getByRole('button', { name: 'Freie Termine anzeigen' }).click();
    await page.locator('#termin-leistung-fehler').waitFor();
    await audit(page, 'Termin buchen mit Fehlern', cspErrors);
    await page.getByLabel('Leistung').selectOption('kfz-zulassung');
    await page.getByLabel('Ihr Wohnort').selectOption('07311000');
    await page.getByRole('button', { name: 'Freie Termine anzeigen' }).click();
    await page.locator('ul.oikz-slot-list a').first().waitFor();
    await audit(page, 'Freie Termine', cspErrors);
    await atNarrowWidth(page, 'Freie Termine', cspErrors);
    await page.locator('ul.oikz-slot-list a').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/Termine\/Buchen/);
    // The proof-of-work challenge runs in a worker (pruefung-worker.js) under the CSP and says when it is done.
    await page.locator('[data-challenge-status]').filter({ hasText: 'erledigt' }).waitFor();
    await page.getByLabel('Vor- und Nachname').fill('Erika Mustermann');
    await page.getByLabel('E-Mail-Adresse').fill('erika.example.org');
    await page.getByRole('button', { name: 'Termin reservieren' }).click();
    await page.locator('#buchen-email-fehler').waitFor();
    check(await page.evaluate(() => document.activeElement?.id) === 'fehlerliste', 'Termin buchen: the error summary does not have the focus');
    await audit(page, 'Termin buchen: Angaben mit Fehlern', cspErrors);
    await atNarrowWidth(page, 'Termin buchen: Angaben mit Fehlern', cspErrors);
    await page.getByLabel('E-Mail-Adresse').fill(`erika-${Date.now()}@example.org`);
    await page.getByRole('button', { name: 'Termin reservieren' }).click();
    await page.waitForURL(/\/Termine\/Verwalten\//);
    check(/reserviert/.test(await page.locator('main dl').innerText()), 'Ihr Termin: not shown as reserved');
    await audit(page, 'Ihr Termin', cspErrors);
    await atNarrowWidth(page, 'Ihr Termin', cspErrors);
    await page.getByRole('button', { name: 'Termin absagen' }).click();
    await page.locator('#bestaetigung').waitFor();
    await audit(page, 'Termin absagen?', cspErrors);
    await page.getByRole('button', { name: 'Ja, absagen' }).click();
    await page.getByRole('status').filter({ hasText: 'Ihr Termin ist abgesagt' }).waitFor();
    await page.goto('/Termine/Bestaetigen?code=unbekannt');
    await audit(page, 'Termin bestätigen', cspErrors);
    // The waiting list: errors at the fields, then joined (the challenge solved in the worker as on the booking form).
    await page.goto('/Termine/Warteliste?leistung=kfz-zulassung&wohnort=07311000&anzahl=1');
    await page.locator('[data-challenge-status]').filter({ hasText: 'erledigt' }).waitFor();
    await page.getByRole('button', { name: 'Auf die Warteliste setzen' }).click();
    await page.locator('#warteliste-email-fehler').waitFor();
    await audit(page, 'Warteliste mit Fehlern', cspErrors);
    await atNarrowWidth(page, 'Warteliste mit Fehlern', cspErrors);
    await page.getByLabel('Spätestens am').fill(new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10));
    await page.getByLabel('Vor- und Nachname').fill('Ayşe Özdemir');
    await page.getByLabel('E-Mail-Adresse').fill(`ayse-${Date.now()}@example.org`);
    await page.getByRole('button', { name: 'Auf die Warteliste setzen' }).click();
    await page.getByRole('status').filter({ hasText: 'Sie stehen auf der Warteliste' }).waitFor();
    await audit(page, 'Warteliste: eingetragen', cspErrors);
  });

  await step('Anmelden (Tastatur)', async () => {
    await page.goto('/Anmelden');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
    check(first === 'Zum Inhalt springen', `Anmelden: first Tab focuses "${first}", not the skip link`);
    check(await page.getByRole('link', { name: 'Zum Inhalt springen' }).isVisible(), 'Anmelden: skip link is not visible when focused');
    await page.keyboard.press('Enter');
    const target = await page.evaluate(() => document.activeElement?.id);
    check(target === 'inhalt', `Anmelden: the skip link moved focus to "${target}", not to #inhalt`);
    const order = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const el = document.activeElement;
        return el?.labels?.[0]?.textContent?.trim() || el?.textContent?.trim() || el?.tagName;
      }));
    }
    check(order.join(' > ') === 'Benutzername > Passwort > Anmelden', `Anmelden: tab order after the skip link is "${order.join(' > ')}"`);
    await audit(page, 'Anmelden', cspErrors);
  });

  await step('Anmelden (leere Felder)', async () => {
    await page.goto('/Anmelden');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForLoadState();
    check(await page.locator('#benutzername-fehler').isVisible(), 'Anmelden (leer): no error next to Benutzername');
    check(await page.locator('#passwort-fehler').isVisible(), 'Anmelden (leer): no error next to Passwort');
    check(await page.getByLabel('Benutzername').getAttribute('aria-invalid') === 'true', 'Anmelden (leer): Benutzername not aria-invalid');
    await audit(page, 'Anmelden mit leeren Feldern', cspErrors);
  });

  await step('Anmelden (falsches Passwort)', async () => {
    await page.goto('/Anmelden');
    await page.getByLabel('Benutzername').fill(username || 'unbekannt');
    await page.getByLabel('Passwort').fill('falsches-Passwort-123');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    const alert = page.getByRole('alert');
    await alert.first().waitFor();
    check(/Anmeldung fehlgeschlagen/.test(await alert.first().innerText()), 'Anmelden (falsch): the alert does not show the generic message');
    check(await page.getByLabel('Passwort').inputValue() === '', 'Anmelden (falsch): the password is echoed back');
    await audit(page, 'Anmelden mit Fehlermeldung', cspErrors);
  });

  await step('Anmelden (Erfolg)', async () => {
    await page.goto('/Anmelden');
    await page.getByLabel('Benutzername').fill(username);
    await page.getByLabel('Passwort').fill(password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    const logout = page.getByRole('button', { name: 'Abmelden' });
    await logout.waitFor();
    check(await logout.isVisible(), 'Anmelden: no visible "Abmelden" button after sign-in');
    check(await page.getByRole('heading', { name: 'Ihre Startpunkte' }).isVisible(), 'Startseite (angemeldet): no start points');
    await audit(page, 'Startseite angemeldet', cspErrors);
  });

  await step('Kommunen', async () => {
    await page.goto('/Kommunen');
    await audit(page, 'Kommunen', cspErrors);
    await page.getByLabel('Name oder Schlüssel').fill('Harz');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.waitForURL(/q=Harz/);
    const rows = await page.locator('table tbody tr').count();
    check(rows > 0, 'Kommunen: the search for "Harz" shows no rows');
    check(await page.getByRole('link', { name: 'Landkreis Harz' }).isVisible(), 'Kommunen: "Landkreis Harz" is not in the results');
    await audit(page, 'Kommunen Suche Harz', cspErrors);
  });

  await step('Kommune Detail', async () => {
    await page.getByRole('link', { name: 'Landkreis Harz' }).click();
    await page.waitForURL(/\/Kommunen\/\d+$/);
    check(await page.getByRole('heading', { level: 1, name: 'Landkreis Harz' }).isVisible(), 'Detail: no h1 "Landkreis Harz"');
    check(await page.locator('table tbody tr').count() > 0, 'Detail: no member municipalities listed');
    await audit(page, 'Kommune Landkreis Harz', cspErrors);
    await page.getByRole('link', { name: 'Halberstadt' }).click();
    await page.waitForURL(/\/Kommunen\/\d+$/);
    check(await page.getByRole('link', { name: 'Landkreis Harz' }).isVisible(), 'Detail: Halberstadt does not link its district');
    await audit(page, 'Kommune Halberstadt', cspErrors);
  });

  await step('Nicht gefunden', async () => {
    const response = await page.goto('/Kommunen/99999999');
    check(response?.status() === 404, `Nicht gefunden: status ${response?.status()}, expected 404`);
    check(await page.getByRole('heading', { level: 1, name: 'Nicht gefunden' }).isVisible(), 'Nicht gefunden: no h1 "Nicht gefunden"');
    await audit(page, 'Nicht gefunden', cspErrors);
  });

  await step('Meine Kommune', async () => {
    const response = await page.goto('/MeineKommune');
    check(response?.status() === 200, `Meine Kommune: status ${response?.status()}`);
    check(await page.getByRole('heading', { level: 1, name: 'Meine Kommune' }).isVisible(), 'Meine Kommune: no h1');
    await audit(page, 'Meine Kommune', cspErrors);
  });

  await step('Benutzerverwaltung', async () => {
    const response = await page.goto('/Verwaltung/Benutzer');
    check(response?.status() === 200, `Benutzerverwaltung: status ${response?.status()} (E2E_USERNAME must have the role Administration)`);
    check(await page.locator('table tbody tr').count() > 0, 'Benutzerverwaltung: no users listed');
    await audit(page, 'Benutzerverwaltung', cspErrors);
    // An invalid create request shows the German errors next to the fields; nothing is stored.
    await page.getByLabel('Benutzername').fill('Ungültig Name');
    await page.getByLabel('Passwort').fill('kurz');
    await page.getByRole('button', { name: 'Benutzer anlegen' }).click();
    await page.getByRole('alert').first().waitFor();
    check(await page.locator('#username-fehler').isVisible(), 'Benutzerverwaltung: no error next to Benutzername');
    check(await page.locator('#password-fehler').isVisible(), 'Benutzerverwaltung: no error next to Passwort');
    await audit(page, 'Benutzerverwaltung mit Fehlern', cspErrors);
  });

  await step('Datensicherung', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const response = await page.goto('/Verwaltung/Sicherungen');
    check(response?.status() === 200, `Datensicherung: status ${response?.status()}`);
    await audit(page, 'Datensicherung', cspErrors);
    await page.getByRole('button', { name: 'Neuen Schlüssel erzeugen' }).click();
    await page.locator('#privater-schluessel').waitFor();
    check(/^OIKZ-BACKUP-SECRET-KEY-1/.test(await page.locator('#privater-schluessel').innerText()), 'Datensicherung: the new private key is not shown');
    await audit(page, 'Datensicherung mit neuem Schlüssel', cspErrors);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/Verwaltung/Sicherungen');
    check(await page.locator('#privater-schluessel').count() === 0, 'Datensicherung: the private key is shown again');
    await audit(page, 'Datensicherung 390 px', cspErrors);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step('Protokoll', async () => {
    const response = await page.goto('/Verwaltung/Protokoll?action=case.read');
    check(response?.status() === 200, `Protokoll: status ${response?.status()}`);
    check(await page.getByRole('link', { name: 'Protokoll' }).first().getAttribute('aria-current') === 'page', 'Protokoll: navigation entry not current');
    await audit(page, 'Protokoll', cspErrors);
    await page.getByRole('link', { name: 'Kette jetzt prüfen' }).click();
    await page.locator('#kette-ergebnis').waitFor();
    check(/unversehrt/.test(await page.locator('#kette-ergebnis').innerText()), 'Protokoll: the chain check does not say the chain is intact');
    await page.getByLabel('Kommune (amtlicher Schlüssel)').fill('abc');
    await page.getByRole('button', { name: 'Filtern' }).click();
    await page.locator('#kommune-fehler').waitFor();
    check(await page.evaluate(() => document.activeElement?.id) === 'fehlerliste', 'Protokoll: the error summary does not have the focus');
    await audit(page, 'Protokoll mit Filterfehler', cspErrors);
    await page.setViewportSize({ width: 390, height: 844 });
    await audit(page, 'Protokoll (390 px)', cspErrors);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step('Dienststellen (Administration, 1280 und 390 px)', async () => {
    const response = await page.goto('/Dienststellen');
    check(response?.status() === 200, `Dienststellen: status ${response?.status()}`);
    await audit(page, 'Dienststellen', cspErrors);
    const day = await page.locator('a[href$="/Heute"]').first().getAttribute('href');
    const office = day?.split('/')[2];
    await page.getByRole('link', { name: 'Öffnungszeiten und Leistungen bearbeiten' }).first().click();
    await page.waitForURL(/\/Dienststellen\/Bearbeiten\/\d+$/);
    await audit(page, 'Dienststelle bearbeiten', cspErrors);
    await page.getByLabel('Postleitzahl').fill('123');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await page.locator('#ds-plz-fehler').waitFor();
    check(await page.evaluate(() => document.activeElement?.id) === 'fehlerliste', 'Dienststelle bearbeiten: the error summary does not have the focus');
    await audit(page, 'Dienststelle bearbeiten mit Fehlern', cspErrors);
    await atNarrowWidth(page, 'Dienststelle bearbeiten mit Fehlern', cspErrors);
    await page.goto(day);
    await audit(page, 'Heute in der Dienststelle', cspErrors);
    await atNarrowWidth(page, 'Heute in der Dienststelle', cspErrors);
    await page.goto(`/Aufruf/${office}`);
    await audit(page, 'Aufrufanzeige', cspErrors);
  });

  await step('Schließtage (Administration, 1280 und 390 px)', async () => {
    await page.goto('/Dienststellen');
    await page.getByRole('link', { name: 'Schließtage', exact: true }).first().click();
    await page.waitForURL(/\/Dienststellen\/\d+\/Schliessen$/);
    const office = new URL(page.url()).pathname.split('/')[2];
    await audit(page, 'Schließtage', cspErrors);
    await atNarrowWidth(page, 'Schließtage', cspErrors);
    await page.getByRole('button', { name: 'Tag schließen' }).click();
    await page.locator('#schliessen-grund-fehler').waitFor();
    check(await page.evaluate(() => document.activeElement?.id) === 'fehlerliste', 'Schließtage: the error summary does not have the focus');
    await audit(page, 'Schließtage mit Fehlern', cspErrors);
    await atNarrowWidth(page, 'Schließtage mit Fehlern', cspErrors);
    // A day with an appointment, booked as a resident does through the public API (without the admin's session cookie,
    // which the API refuses for writes without the antiforgery token): the question first, the cancellation, reopening.
    const resident = await request.newContext({ baseURL: baseUrl, ignoreHTTPSErrors: loopback });
    const slots = await (await resident.get(`/api/v1/appointments/slots?service=kfz-zulassung&office=${office}&municipality=07311000`)).json();
    const start = slots[0].start;
    // The proof-of-work challenge, solved as a script using the API does (docs/API.md): the first nonce whose SHA-256 has the zero bits.
    const { challenge, difficulty } = await (await resident.get('/api/v1/appointments/challenge')).json();
    let solution = '';
    for (let nonce = 0; ; nonce++) {
      const hash = createHash('sha256').update(`${challenge}:${nonce}`).digest();
      let bits = 0;
      for (const byte of hash) { if (byte === 0) { bits += 8; continue; } bits += Math.clz32(byte) - 24; break; }
      if (bits >= difficulty) { solution = `${challenge}:${nonce}`; break; }
    }
    const booked = await resident.post('/api/v1/appointments', {
      data: { service: 'kfz-zulassung', officeId: Number(office), start, items: 1, name: 'Erika Mustermann', email: `schliesstag-${Date.now()}@example.org`, municipality: '07311000', challenge: solution },
    });
    check(booked.status() === 201, `Schließtage: booking for the walk answered ${booked.status()}`);
    await resident.dispose();
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date(start));
    await page.getByLabel('Tag', { exact: true }).fill(day);
    await page.getByLabel('Grund').fill('Personalversammlung');
    await page.getByRole('button', { name: 'Tag schließen' }).click();
    await page.locator('#bestaetigung').waitFor();
    check(/ist 1 Termin gebucht/.test(await page.locator('#bestaetigung').innerText()), 'Schließtage: the question does not name the one appointment');
    await audit(page, 'Schließtag: Termine absagen?', cspErrors);
    await atNarrowWidth(page, 'Schließtag: Termine absagen?', cspErrors);
    await page.getByRole('button', { name: 'Ja, schließen und absagen' }).click();
    await page.getByRole('status').filter({ hasText: '1 Termin ist abgesagt' }).waitFor();
    await audit(page, 'Schließtage mit einem Schließtag', cspErrors);
    await atNarrowWidth(page, 'Schließtage mit einem Schließtag', cspErrors);
    await page.getByRole('button', { name: /wieder öffnen$/ }).first().click();
    await page.getByRole('status').filter({ hasText: 'wieder geöffnet' }).waitFor();
  });

  const resetUser = process.env.E2E_RESET_USERNAME || 'frankenthal.teamleitung';
  const oneTimePassword = 'Einmal-Passwort-Test-2026';
  const ownPassword = 'Eigenes-Passwort-Test-2026';
  await step('Passwort zurücksetzen (Administration)', async () => {
    await page.goto('/Verwaltung/Benutzer');
    await page.getByRole('link', { name: `Bearbeiten: ${resetUser}` }).click();
    await page.getByLabel('Einmal-Passwort').fill(oneTimePassword);
    await page.getByRole('button', { name: 'Passwort zurücksetzen' }).click();
    await page.getByRole('status').filter({ hasText: 'wurde zurückgesetzt' }).waitFor();
    check(await page.locator('table tbody tr', { hasText: resetUser }).filter({ hasText: 'neues Passwort fällig' }).count() === 1,
      'Passwort zurücksetzen: the account is not marked "neues Passwort fällig"');
    await audit(page, 'Benutzerverwaltung nach Zurücksetzen', cspErrors);
  });

  await step('Abmelden', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(`${baseUrl}/`);
    check(await page.getByRole('button', { name: 'Abmelden' }).count() === 0, 'Abmelden: still signed in');
    const response = await page.goto('/MeineKommune');
    check(/\/Anmelden/.test(page.url()), `Abmelden: /MeineKommune did not lead to the login page (${response?.status()} ${page.url()})`);
  });

  // Second phase: the back office as a clerk (workbench, case page, archive) and as a team lead (pool).
  async function signIn(name, user) {
    await page.goto('/Anmelden');
    await page.getByLabel('Benutzername').fill(user);
    await page.getByLabel('Passwort').fill(password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('button', { name: 'Abmelden' }).waitFor();
    check(await page.getByRole('button', { name: 'Abmelden' }).isVisible(), `${name}: sign-in of ${user} failed`);
  }

  async function signOut(name) {
    await page.goto('/');
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(`${baseUrl}/`);
    check(await page.getByRole('button', { name: 'Abmelden' }).count() === 0, `${name}: still signed in`);
  }

  await step('Einmal-Passwort ersetzen', async () => {
    await page.goto('/Anmelden');
    await page.getByLabel('Benutzername').fill(resetUser);
    await page.getByLabel('Passwort').fill(oneTimePassword);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(/\/Konto\/Passwort/);
    check(await page.getByRole('heading', { level: 1, name: 'Passwort ändern' }).isVisible(), 'Einmal-Passwort: not sent to "Passwort ändern"');
    await audit(page, 'Passwort ändern (nach Zurücksetzen)', cspErrors);
    // Anything else waits until the password is changed.
    await page.goto('/Pool');
    check(/\/Konto\/Passwort/.test(page.url()), `Einmal-Passwort: /Pool was reachable before the change (${page.url()})`);
    await page.getByLabel('Passwort von der Administration').fill(oneTimePassword);
    await page.getByLabel('Neues Passwort', { exact: true }).fill(ownPassword);
    await page.getByLabel('Neues Passwort wiederholen').fill(ownPassword + 'x');
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await page.locator('#passwort-wiederholung-fehler').waitFor();
    check(await page.evaluate(() => document.activeElement?.id) === 'fehlerliste', 'Passwort ändern: the error summary does not have the focus');
    await audit(page, 'Passwort ändern mit Fehlern', cspErrors);
    await page.getByLabel('Passwort von der Administration').fill(oneTimePassword);
    await page.getByLabel('Neues Passwort', { exact: true }).fill(ownPassword);
    await page.getByLabel('Neues Passwort wiederholen').fill(ownPassword);
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await page.getByRole('status').filter({ hasText: 'Ihr Passwort wurde geändert' }).waitFor();
    await audit(page, 'Passwort geändert', cspErrors);
    const pool = await page.goto('/Pool');
    check(pool?.status() === 200 && /\/Pool$/.test(page.url()), `Einmal-Passwort: /Pool not reachable after the change (${pool?.status()} ${page.url()})`);
  });

  await step('Startseite der Teamleitung (1280 und 390 px)', async () => {
    await page.goto('/');
    const team = page.locator('section', { has: page.locator('#team-start') });
    await team.waitFor();
    check(await team.locator('canvas[data-chart]:not([hidden])').count() >= 3, 'Startseite Teamleitung: fewer than three charts drawn');
    check(await team.locator('table caption').count() >= 4, 'Startseite Teamleitung: fewer than four tables');
    await audit(page, 'Startseite Teamleitung', cspErrors);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `Startseite Teamleitung at 390 px: ${overflow} px horizontal overflow`);
    await audit(page, 'Startseite Teamleitung (390 px)', cspErrors);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step('Teamleitung (zurückgesetzt) abmelden', () => signOut('Teamleitung (zurückgesetzt) abmelden'));

  await step('Sachbearbeitung anmelden', () => signIn('Sachbearbeitung', clerkUsername));

  await step('Arbeitskorb', async () => {
    const response = await page.goto('/Arbeitskorb');
    check(response?.status() === 200, `Arbeitskorb: status ${response?.status()} (E2E_CLERK_USERNAME must have the role Sachbearbeitung)`);
    check(await page.getByRole('heading', { level: 1, name: 'Arbeitskorb' }).isVisible(), 'Arbeitskorb: no h1');
    check(await page.getByRole('link', { name: 'Arbeitskorb' }).first().getAttribute('aria-current') === 'page', 'Arbeitskorb: navigation entry not current');
    await audit(page, 'Arbeitskorb', cspErrors);
  });

  await step('Vorgang holen', async () => {
    await page.goto('/Arbeitskorb');
    await page.getByRole('button', { name: 'Nächsten Vorgang holen: Kfz-Zulassung' }).click();
    await page.waitForURL(/\/Vorgaenge\/[0-9a-f-]{36}$/);
    check(/^Vorgang \S+-KFZ-/.test((await page.locator('h1').innerText()).trim()), 'Vorgang: h1 does not name a Kfz reference');
    check(await page.getByRole('heading', { name: 'Verlauf' }).isVisible(), 'Vorgang: no history');
    check(await page.locator('table tbody tr', { hasText: 'übernommen' }).count() > 0, 'Vorgang: the claim is not in the history');
    await audit(page, 'Vorgang', cspErrors);
  });

  await step('Vermerk hinzufügen', async () => {
    const text = 'Halter telefonisch erreicht <b>nicht fett</b>';
    await page.getByLabel('Vermerk', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Vermerk hinzufügen' }).click();
    await page.getByRole('status').filter({ hasText: 'Vermerk wurde hinzugefügt' }).waitFor();
    check((await page.locator('#vermerke').innerText()).includes(text), 'Vermerk: the note is not shown as text');
    check(await page.locator('#vermerke b').count() === 0, 'Vermerk: markup of the note was rendered');
    await audit(page, 'Vorgang mit Vermerk', cspErrors);
  });

  await step('Entscheiden (ohne Begründung)', async () => {
    await page.getByLabel('abgelehnt').check();
    await page.getByRole('button', { name: 'Weiter zur Vorschau des Bescheids' }).click();
    await page.locator('#entscheidung-begruendung-fehler').waitFor();
    check(/begründet/.test(await page.locator('#entscheidung-begruendung-fehler').innerText()), 'Entscheiden: no German error next to Begründung');
    check(await page.getByLabel('Begründung').getAttribute('aria-invalid') === 'true', 'Entscheiden: Begründung not aria-invalid');
    await audit(page, 'Vorgang mit Fehler', cspErrors);
  });

  await step('Entscheiden mit Vorschau und Bestätigung', async () => {
    await page.getByLabel('Begründung').fill('Die Versicherungsbestätigung fehlt trotz Anforderung.');
    await page.getByRole('button', { name: 'Weiter zur Vorschau des Bescheids' }).click();
    await page.locator('#bestaetigung').waitFor();
    check(await page.evaluate(() => document.activeElement?.id) === 'bestaetigung', 'Entscheiden: the question does not have the focus');
    const letter = await page.locator('.oikz-letter').innerText();
    check(letter.includes('wird abgelehnt') && letter.includes('Die Versicherungsbestätigung fehlt'), 'Entscheiden: the preview does not show the Bescheid with the reason');
    check((await page.locator('main').innerText()).includes('in Bearbeitung'), 'Entscheiden: the case changed before the confirmation');
    await audit(page, 'Bescheid-Vorschau', cspErrors);
    await page.getByRole('button', { name: 'Bescheid erlassen' }).click();
    await page.getByRole('status').filter({ hasText: 'abgelehnt' }).waitFor();
    check(await page.getByRole('button', { name: /^Nächsten Vorgang holen/ }).isVisible(), 'Entscheiden: no next step offered');
    await audit(page, 'Vorgang entschieden', cspErrors);
  });

  await step('Archiv', async () => {
    await page.goto('/Archiv');
    await page.getByLabel('Aktenzeichen oder Nachname').fill('M');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.waitForURL(/[?&]q=M(&|$)/);
    check(await page.locator('#q-fehler').isVisible(), 'Archiv: no error next to the search field for one character');
    await page.getByLabel('Aktenzeichen oder Nachname').fill('Mu');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.waitForURL(/[?&]q=Mu(&|$)/);
    check(await page.locator('table tbody tr').count() > 0, 'Archiv: the search for "Mu" shows no closed cases');
    await audit(page, 'Archiv Suche', cspErrors);
    await page.locator('table tbody tr a').first().click();
    await page.waitForURL(/\/Vorgaenge\/[0-9a-f-]{36}$/);
    check((await page.locator('main').innerText()).includes('abgeschlossen'), 'Archiv: the found case is not closed');
  });

  await step('Pool (Sachbearbeitung)', async () => {
    const response = await page.goto('/Pool');
    check(response?.status() === 403, `Pool: a clerk gets status ${response?.status()}, expected 403`);
  });

  await step('Sachbearbeitung abmelden', () => signOut('Sachbearbeitung abmelden'));

  await step('Teamleitung anmelden', () => signIn('Teamleitung', leadUsername));

  await step('Pool', async () => {
    const response = await page.goto('/Pool');
    check(response?.status() === 200, `Pool: status ${response?.status()} (E2E_LEAD_USERNAME must have the role Teamleitung)`);
    check(await page.locator('table tbody tr').count() > 0, 'Pool: no rows');
    check(await page.getByLabel('Person').locator('option').count() > 1, 'Pool: no clerks to mark absent');
    await audit(page, 'Pool', cspErrors);
  });

  await step('Mehrere Vorgänge zuweisen', async () => {
    await page.goto('/Pool?stand=open#vorgaenge');
    const boxes = page.locator('input[name="SelectedCases"]');
    check(await boxes.count() >= 2, 'Pool: fewer than two free cases listed');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    const target = page.getByLabel('Ausgewählte Vorgänge zuweisen an');
    const person = await target.locator('optgroup option').first().getAttribute('value');
    await target.selectOption(person);
    await page.getByRole('button', { name: 'Zuweisen', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Vorgänge sind jetzt' }).waitFor();
    check(/stand=open/.test(page.url()), 'Pool: the list lost its filter after assigning');
    await audit(page, 'Pool nach Sammelzuweisung', cspErrors);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `Pool at 390 px: ${overflow} px horizontal overflow`);
    await audit(page, 'Pool (390 px)', cspErrors);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step('Teamleitung abmelden', () => signOut('Teamleitung abmelden'));

  // Third phase: agreements as a coordinator (list, guided form with errors, draft, consent) and a settlement page.
  await step('Koordination anmelden', () => signIn('Koordination', coordinatorUsername));

  await step('Vereinbarungen', async () => {
    const response = await page.goto('/Vereinbarungen');
    check(response?.status() === 200, `Vereinbarungen: status ${response?.status()} (E2E_COORDINATOR_USERNAME must have the role Koordination)`);
    check(await page.getByRole('heading', { level: 1, name: 'Vereinbarungen' }).isVisible(), 'Vereinbarungen: no h1');
    check(await page.getByRole('link', { name: 'Vereinbarungen' }).first().getAttribute('aria-current') === 'page', 'Vereinbarungen: navigation entry not current');
    await audit(page, 'Vereinbarungen', cspErrors);
  });

  await step('Neue Vereinbarung (leer)', async () => {
    await page.goto('/Vereinbarungen');
    await page.getByRole('link', { name: 'Neue Vereinbarung' }).click();
    await page.waitForURL(/\/Vereinbarungen\/Neu$/);
    check(await page.getByRole('heading', { level: 1, name: 'Neue Vereinbarung' }).isVisible(), 'Neue Vereinbarung: no h1');
    check(await page.locator('ol.oikz-steps li[aria-current="step"]').innerText().then(t => t.includes('Grunddaten')), 'Neue Vereinbarung: step 1 is not marked current');
    await audit(page, 'Neue Vereinbarung', cspErrors);
    await page.getByRole('button', { name: 'Weiter zu „Mitglieder“' }).click();
    await page.getByRole('alert').first().waitFor();
    for (const id of ['titel', 'leistung-0']) {
      check(await page.locator(`#${id}-fehler`).isVisible(), `Neue Vereinbarung (leer): no error next to #${id}`);
    }
    check(await page.locator('#mitglieder-fehler').count() === 0, 'Neue Vereinbarung (leer): an error of a later step is shown');
    check(await page.evaluate(() => document.activeElement?.id) === 'fehlerliste', 'Neue Vereinbarung (leer): the error summary does not have the focus');
    check(await page.getByLabel('Titel').getAttribute('aria-invalid') === 'true', 'Neue Vereinbarung (leer): Titel not aria-invalid');
    await audit(page, 'Neue Vereinbarung mit Fehlern', cspErrors);
  });

  let agreementPath = '';
  await step('Neue Vereinbarung (gültig, in Schritten, 1280 und 390 px)', async () => {
    const start = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const next = async (name) => {
      await page.getByRole('button', { name: `Weiter zu „${name}“` }).click();
      await page.locator('ol.oikz-steps li[aria-current="step"]', { hasText: name }).waitFor();
    };
    await page.getByLabel('Titel').fill(`Arbeitsgemeinschaft Wohngeld Thale – Wernigerode (Test ${Date.now()})`);
    await page.getByRole('checkbox', { name: 'Wohngeld' }).check();
    await next('Mitglieder');
    check(await page.locator('#mitglied-0-kommune').inputValue() === '15085330', 'Mitglieder: the own municipality is not filled in');
    await page.locator('#mitglied-0-vorgaenge').check();
    await page.locator('#mitglied-0-personal').check();
    await page.locator('#mitglied-1-kommune').selectOption('15085370');
    await page.locator('#mitglied-1-vorgaenge').check();
    await page.locator('#mitglied-1-personal').check();
    await audit(page, 'Neue Vereinbarung: Mitglieder', cspErrors);
    await atNarrowWidth(page, 'Neue Vereinbarung: Mitglieder', cspErrors);
    await next('Recht und Form');
    await page.getByLabel('Landesrecht').selectOption('gkg-lsa');
    await page.getByLabel('Rechtsform').selectOption({ label: 'Arbeitsgemeinschaft (§ 2 Abs. 2 GKG-LSA)' });
    await page.getByLabel('Datenschutz').fill('Jede Kommune bleibt Verantwortliche; die bearbeitende Kommune verarbeitet im Auftrag (Art. 28 DSGVO).');
    await next('Leistungen und Schlüssel');
    check(await page.locator('#satz-kfz-zulassung-alle-pauschale').count() === 0, 'Leistungen und Schlüssel: rates of a service not chosen are shown');
    await page.locator('#satz-wohngeld-alle-pauschale').fill('45,00');
    await audit(page, 'Neue Vereinbarung: Leistungen und Schlüssel', cspErrors);
    await next('Laufzeit');
    await page.getByLabel('Beginn').fill(start);
    await next('Prüfen');
    check((await page.locator('article.oikz-document').innerText()).includes('Arbeitsgemeinschaft nach dem Gesetz über kommunale Gemeinschaftsarbeit (GKG-LSA)'),
      'Prüfen: the generated document is not shown');
    await audit(page, 'Neue Vereinbarung: Prüfen', cspErrors);
    await atNarrowWidth(page, 'Neue Vereinbarung: Prüfen', cspErrors);
    await page.getByRole('button', { name: 'Entwurf anlegen' }).click();
    await page.waitForURL(/\/Vereinbarungen\/\d+$/);
    agreementPath = new URL(page.url()).pathname;
    check(/Entwurf/.test(await page.locator('main').innerText()), 'Vereinbarung: the new agreement is not a draft');
    check((await page.locator('main').innerText()).includes('45,00 €'), 'Vereinbarung: the Fallpauschale is not shown');
    await audit(page, 'Vereinbarung Entwurf', cspErrors);
  });

  await step('Vereinbarung zustimmen', async () => {
    if (!agreementPath) throw new Error('no agreement was created');
    await page.getByRole('button', { name: 'Zustimmen' }).click();
    await page.getByRole('status').filter({ hasText: 'zugestimmt' }).waitFor();
    check(await page.locator('table tbody tr', { hasText: 'zugestimmt' }).count() > 0, 'Zustimmen: the consent is not in the history');
    check(await page.getByRole('button', { name: 'Zustimmen' }).count() === 0, 'Zustimmen: the button is still shown');
    await audit(page, 'Vereinbarung nach Zustimmung', cspErrors);
  });

  await step('Koordination abmelden', () => signOut('Koordination abmelden'));

  // A settlement of a demo agreement, if the demo data has one.
  await step('Abrechnung', async () => {
    await signIn('Koordination (Abrechnung)', settlementUsername);
    await page.goto('/Vereinbarungen');
    const links = page.locator('table tbody tr a');
    const count = await links.count();
    for (let i = 0; i < count; i++) {
      await page.goto('/Vereinbarungen');
      await page.locator('table tbody tr a').nth(i).click();
      await page.waitForURL(/\/Vereinbarungen\/\d+$/);
      const settlement = page.locator('a[href^="/Abrechnungen/"]');
      if (await settlement.count() === 0) continue;
      await audit(page, 'Vereinbarung mit Abrechnungen', cspErrors);
      await settlement.first().click();
      await page.waitForURL(/\/Abrechnungen\/[^/]+$/);
      check(/^Abrechnung /.test((await page.locator('h1').innerText()).trim()), 'Abrechnung: no h1');
      check(await page.locator('table tbody tr').count() > 0, 'Abrechnung: no statements');
      check(/ €/.test(await page.locator('main').innerText()), 'Abrechnung: no amounts in euro');
      check(await page.locator('nav a[aria-current="page"]').getAttribute('href') === '/Vereinbarungen', 'Abrechnung: the menu does not highlight Vereinbarungen');
      await audit(page, 'Abrechnung', cspErrors);
      break;
    }
    await signOut('Koordination (Abrechnung) abmelden');
  });

  // The evaluation report and the goals form of a running demo agreement, and the start page with its KPIs.
  await step('Evaluation', async () => {
    await signIn('Koordination (Evaluation)', settlementUsername);
    await audit(page, 'Start mit Kennzahlen', cspErrors);
    await page.goto('/Vereinbarungen');
    const links = page.locator('table tbody tr a');
    const count = await links.count();
    let found = false;
    for (let i = 0; i < count; i++) {
      await page.goto('/Vereinbarungen');
      await page.locator('table tbody tr a').nth(i).click();
      await page.waitForURL(/\/Vereinbarungen\/\d+$/);
      const report = page.locator('a[href$="/Evaluation"]');
      if (await report.count() === 0) continue;
      found = true;
      await report.first().click();
      await page.waitForURL(/\/Vereinbarungen\/\d+\/Evaluation$/);
      check(/^Evaluation: /.test((await page.locator('h1').innerText()).trim()), 'Evaluation: no h1');
      check(await page.locator('main table').count() >= await page.locator('canvas[data-chart]').count(), 'Evaluation: fewer tables than charts');
      await audit(page, 'Evaluation', cspErrors);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      check(overflow <= 0, `Evaluation at 390 px: the page is ${overflow} px wider than the screen`);
      await audit(page, 'Evaluation 390 px', cspErrors);
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.goto(page.url().replace(/\/Evaluation$/, '/Ziele'));
      check(await page.getByRole('heading', { level: 1, name: 'Ziele der Vereinbarung' }).isVisible(), 'Ziele: no h1');
      await audit(page, 'Ziele', cspErrors);
      break;
    }
    check(found, 'Evaluation: no demo agreement links to its evaluation report');
    await signOut('Koordination (Evaluation) abmelden');
  });

  // The potential analyses: the list, the demo analysis (also at 390 px), the guided form and its German field errors.
  await step('Potenzialanalyse', async () => {
    await signIn('Koordination (Potenzialanalyse)', settlementUsername);
    await page.goto('/Potenzialanalyse');
    check(await page.getByRole('heading', { level: 1 }).count() === 1, 'Potenzialanalyse: no h1');
    await audit(page, 'Potenzialanalysen', cspErrors);
    const first = page.locator('main table tbody tr a').first();
    check(await first.count() === 1, 'Potenzialanalyse: the demo analysis is not listed');
    await first.click();
    await page.waitForURL(/\/Potenzialanalyse\/\d+$/);
    check(await page.locator('main table').count() >= await page.locator('canvas[data-chart]').count(), 'Potenzialanalyse: fewer tables than charts');
    check(await page.getByRole('heading', { name: 'Vereinbarung entwerfen' }).count() === 1, 'Potenzialanalyse: no "Vereinbarung entwerfen"');
    await audit(page, 'Potenzialanalyse Ergebnis', cspErrors);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `Potenzialanalyse at 390 px: the page is ${overflow} px wider than the screen`);
    await audit(page, 'Potenzialanalyse Ergebnis 390 px', cspErrors);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('/Potenzialanalyse/Neu');
    await audit(page, 'Potenzialanalyse Neu', cspErrors);
    await page.locator('main form button[type="submit"].kern-btn--primary').click();
    await page.waitForLoadState('load');
    check(await page.locator('.kern-error').count() > 0, 'Potenzialanalyse Neu: an empty form shows no field error');
    await audit(page, 'Potenzialanalyse Neu mit Fehlern', cspErrors);
    await signOut('Koordination (Potenzialanalyse) abmelden');
  });

  // ---- registry pages (register, entry) ----
  await step('IKZ-Register', async () => {
    const response = await page.goto('/Register');
    check(response?.status() === 200, `IKZ-Register: status ${response?.status()}`);
    check(await page.getByRole('heading', { level: 1, name: 'IKZ-Register' }).isVisible(), 'IKZ-Register: no h1');
    check(/Kooperationen? gefunden/.test(await page.getByRole('status').first().innerText()), 'IKZ-Register: no result count');
    check(await page.locator('a[href="/api/v1/registry/cooperations.csv"]').count() === 1, 'IKZ-Register: no CSV link');
    check((await page.locator('main').innerText()).includes('CC BY 4.0'), 'IKZ-Register: licence not named');
    await audit(page, 'IKZ-Register', cspErrors);
  });

  await step('IKZ-Register gefiltert', async () => {
    await page.goto('/Register');
    await page.getByLabel('Aufgabenfeld').selectOption('archiv');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.waitForURL(/taskField=archiv/);
    check(await page.locator('table tbody tr').count() > 0, 'IKZ-Register gefiltert: no rows for Archiv');
    await audit(page, 'IKZ-Register gefiltert', cspErrors);
  });

  await step('IKZ-Register mit Filterfehler', async () => {
    await page.goto('/Register?status=fertig');
    check(await page.locator('#filter-status-fehler').isVisible(), 'IKZ-Register: no message next to the status filter');
    await audit(page, 'IKZ-Register mit Filterfehler', cspErrors);
  });

  await step('IKZ-Register Eintrag', async () => {
    await page.goto('/Register?q=Rechtsagentur');
    await page.locator('table tbody tr a').first().click();
    await page.waitForURL(/\/Register\/\d+$/);
    check((await page.locator('main').innerText()).includes('Kreis Lippe'), 'IKZ-Register Eintrag: partners not shown');
    check(await page.getByRole('heading', { level: 2, name: 'Quellen' }).isVisible(), 'IKZ-Register Eintrag: no sources');
    await audit(page, 'IKZ-Register Eintrag', cspErrors);
  });

  await step('Kooperation eintragen', async () => {
    await signIn('Koordination (Register)', coordinatorUsername);
    const response = await page.goto('/Register/Neu');
    check(response?.status() === 200, `Kooperation eintragen: status ${response?.status()}`);
    await audit(page, 'Kooperation eintragen', cspErrors);
    await page.getByRole('button', { name: 'Eintragen' }).click();
    await page.getByRole('alert').first().waitFor();
    for (const id of ['titel', 'beschreibung', 'aufgabenfeld', 'landesrecht', 'rechtsform', 'quellen']) {
      check(await page.locator(`#${id}-fehler`).isVisible(), `Kooperation eintragen (leer): no error next to #${id}`);
    }
    await audit(page, 'Kooperation eintragen mit Fehlern', cspErrors);
    await page.getByLabel('Titel').fill(`Gemeinsamer Bauhof Thale – Wernigerode (Test ${Date.now()})`);
    await page.getByLabel('Beschreibung').fill('Beide Städte teilen Maschinen und Personal des Bauhofs.');
    await page.getByLabel('Aufgabenfeld').selectOption('ver-entsorgung');
    await page.getByLabel('Landesrecht').selectOption('gkg-lsa');
    await page.getByLabel('Rechtsform', { exact: true }).selectOption('zweckvereinbarung');
    await page.locator('#partner-1-schluessel').fill('15085370');
    await page.getByLabel('Quellen').fill('Stadtratsbeschluss (Test)');
    await page.getByRole('button', { name: 'Eintragen' }).click();
    await page.waitForURL(/\/Register\/\d+$/);
    check((await page.locator('main').innerText()).includes('im Register eingetragen'), 'Kooperation eintragen: no confirmation');
    await audit(page, 'Register Eintrag neu', cspErrors);
    await signOut('Koordination (Register) abmelden');
  });

  // ---- statistics pages ----
  await step('IKZ-Statistik', async () => {
    const response = await page.goto('/Register/Statistik');
    check(response?.status() === 200, `IKZ-Statistik: status ${response?.status()}`);
    check(await page.getByRole('heading', { level: 1, name: 'IKZ-Statistik' }).isVisible(), 'IKZ-Statistik: no h1');
    await page.locator('canvas[data-chart]').first().waitFor({ state: 'visible' });
    const charts = await page.locator('canvas[data-chart]').count();
    check(charts > 0 && await page.locator('canvas[data-chart][hidden]').count() === 0, 'IKZ-Statistik: the charts were not drawn');
    check(await page.locator('main table').count() >= charts, 'IKZ-Statistik: fewer tables than charts');
    await audit(page, 'IKZ-Statistik', cspErrors);

    await page.getByLabel('Land').selectOption('ST');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await page.waitForURL(/state=ST/);
    check(await page.getByRole('heading', { level: 2, name: 'Überblick: Sachsen-Anhalt' }).isVisible(), 'IKZ-Statistik: the state filter did not apply');
    await audit(page, 'IKZ-Statistik Sachsen-Anhalt', cspErrors);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('canvas[data-chart]').first().waitFor({ state: 'visible' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `IKZ-Statistik at 390 px: the page is ${overflow} px wider than the screen`);
    await audit(page, 'IKZ-Statistik 390 px', cspErrors);
    await page.setViewportSize({ width: 1280, height: 720 });

    await page.goto('/Register/Statistik?district=99999');
    check(await page.locator('#district-fehler').isVisible(), 'IKZ-Statistik: no error next to Kreis for an unknown district');
    check(await page.getByLabel('Kreis').getAttribute('aria-invalid') === 'true', 'IKZ-Statistik: Kreis not aria-invalid');
    await audit(page, 'IKZ-Statistik mit Fehler', cspErrors);
  });

  await step('IKZ-Statistik ohne JavaScript', async () => {
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(baseUrl).hostname);
    const plain = await browser.newContext({ baseURL: baseUrl, locale: 'de-DE', javaScriptEnabled: false, ignoreHTTPSErrors: loopback });
    try {
      const p = await plain.newPage();
      await p.goto('/Register/Statistik');
      check(await p.locator('main table').count() >= 10, 'IKZ-Statistik ohne JavaScript: the tables are missing');
      check(await p.locator('canvas:visible').count() === 0, 'IKZ-Statistik ohne JavaScript: empty chart areas are shown');
    } finally {
      await plain.close();
    }
  });

  // ---- partner search and coverage pages ----
  await step('Partnersuche (öffentlich)', async () => {
    const response = await page.goto('/Partnersuche');
    check(response?.status() === 200, `Partnersuche: status ${response?.status()}`);
    check(await page.getByRole('link', { name: 'Gemeinsame Betreuung des Verwaltungsarchivs' }).isVisible(), 'Partnersuche: the demo search of Falkenstein/Harz is not listed');
    check(await page.locator('#ps-titel').count() === 0, 'Partnersuche: a visitor sees the form for a new search');
    await audit(page, 'Partnersuche öffentlich', cspErrors);
  });

  await step('Partnersuche Koordination anmelden', () => signIn('Partnersuche Koordination', coordinatorUsername));

  await step('Neue Partnersuche (leer)', async () => {
    await page.goto('/Partnersuche');
    await audit(page, 'Partnersuche Koordination', cspErrors);
    await page.getByRole('button', { name: 'Partnersuche veröffentlichen' }).click();
    await page.getByRole('alert').first().waitFor();
    for (const id of ['ps-aufgabenfeld', 'ps-titel', 'ps-beschreibung', 'ps-bis']) {
      check(await page.locator(`#${id}-fehler`).isVisible(), `Neue Partnersuche (leer): no error next to #${id}`);
    }
    check(await page.getByLabel('Titel').getAttribute('aria-invalid') === 'true', 'Neue Partnersuche (leer): Titel not aria-invalid');
    await audit(page, 'Partnersuche mit Fehlern', cspErrors);
  });

  await step('Neue Partnersuche (gültig)', async () => {
    const until = new Date(Date.now() + 60 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await page.getByLabel('Aufgabenfeld', { exact: true }).first().selectOption('archiv');
    await page.getByLabel('Titel').fill(`Archivverbund Thale (Test ${Date.now()})`);
    await page.getByLabel('Beschreibung').fill('Wir suchen Partner für die gemeinsame Betreuung unseres Verwaltungsarchivs.');
    await page.getByLabel('Gesucht bis').fill(until);
    await page.getByRole('button', { name: 'Partnersuche veröffentlichen' }).click();
    await page.waitForURL(/\/Partnersuche\/\d+$/);
    check((await page.locator('[role=status]').first().innerText()).includes('veröffentlicht'), 'Partnersuche: no confirmation');
    check(await page.getByRole('heading', { name: 'Vorgeschlagene Partner' }).isVisible(), 'Partnersuche: no suggestions section');
    check(await page.locator('#vorschlaege-liste ol > li').count() > 0, 'Partnersuche: no suggested partner');
    check((await page.locator('#vorschlaege-liste').innerText()).includes('Sucht ebenfalls'), 'Partnersuche: no "similar pressure" reason (Falkenstein and Ballenstedt search in Archiv)');
    await audit(page, 'Partnersuche eigene Suche', cspErrors);
  });

  await step('Interesse bekunden', async () => {
    await page.goto('/Partnersuche');
    await page.getByRole('link', { name: 'Gemeinsame Betreuung des Verwaltungsarchivs' }).click();
    await page.waitForURL(/\/Partnersuche\/\d+$/);
    await audit(page, 'Partnersuche fremde Suche', cspErrors);
    await page.getByLabel(/Nachricht an/).fill('Thale sucht ebenfalls einen Archivpartner.');
    await page.getByRole('button', { name: 'Interesse bekunden' }).click();
    await page.getByRole('status').filter({ hasText: 'Interesse ist übermittelt' }).waitFor();
    check(await page.getByRole('button', { name: 'Interesse bekunden' }).count() === 0, 'Interesse: the button is still shown');
    await audit(page, 'Partnersuche nach Interesse', cspErrors);
  });

  await step('Partnersuche bei 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/Partnersuche', '/Partnersuche/Abdeckung?aufgabenfeld=archiv&land=ST']) {
      await page.goto(path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      check(overflow <= 0, `${path} at 390 px: ${overflow} px horizontal overflow`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await step('Abdeckung', async () => {
    const response = await page.goto('/Partnersuche/Abdeckung');
    check(response?.status() === 200, `Abdeckung: status ${response?.status()}`);
    await audit(page, 'Abdeckung', cspErrors);
    await page.getByLabel('Aufgabenfeld').selectOption('archiv');
    await page.getByLabel('Land').selectOption('ST');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await page.waitForURL(/aufgabenfeld=archiv/);
    check(await page.locator('table tbody tr', { hasText: 'Landkreis Harz' }).count() === 1, 'Abdeckung: no row for Landkreis Harz');
    check(await page.getByText('sucht einen Partner').first().isVisible(), 'Abdeckung: the searching municipalities are not marked');
    await audit(page, 'Abdeckung Archiv Sachsen-Anhalt', cspErrors);
  });

  await step('Partnersuche Koordination abmelden', () => signOut('Partnersuche Koordination abmelden'));

  // ---- Kooperationsraum pages ----
  // As the Koordination of the coordinating member of the demo Kooperationsraum Vorderpfalz (E2E_REGION_USERNAME, default
  // speyer.koordination): the start page's overdue reviews, the list, a region, a Handlungsfeld; at 390 px and by keyboard.
  const regionUsername = process.env.E2E_REGION_USERNAME || 'speyer.koordination';
  async function fitsPhone(name) {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `${name}: ${overflow} px wider than a 390 px screen`);
    await audit(page, `${name} (390 px)`, cspErrors);
    await page.setViewportSize({ width: 1280, height: 720 });
  }

  await step('Kooperationsraum anmelden', () => signIn('Kooperationsraum', regionUsername));

  await step('Startseite mit überfälligen Überprüfungen', async () => {
    await page.goto('/');
    const heading = page.getByRole('heading', { name: /Überfällige Überprüfungen im Kooperationsraum/ });
    check(await heading.isVisible(), 'Startseite: no overdue reviews for the coordinator');
    check(/überfällig seit \d+ Tag/.test(await page.locator('main').innerText()), 'Startseite: the overdue review is not said in words');
    await audit(page, 'Startseite mit überfälligen Überprüfungen', cspErrors);
  });

  let regionPath = '';
  await step('Kooperationsräume', async () => {
    const response = await page.goto('/Kooperationsraum');
    check(response?.status() === 200, `Kooperationsraum: status ${response?.status()}`);
    check(await page.getByRole('heading', { level: 1, name: 'Kooperationsraum' }).isVisible(), 'Kooperationsraum: no h1');
    await audit(page, 'Kooperationsräume', cspErrors);
    await page.getByRole('link', { name: 'Kooperationsraum Vorderpfalz' }).click();
    await page.waitForURL(/\/Kooperationsraum\/\d+$/);
    regionPath = new URL(page.url()).pathname;
    check(await page.getByRole('heading', { level: 1, name: 'Kooperationsraum Vorderpfalz' }).isVisible(), 'Kooperationsraum: no h1 of the region');
    check(await page.getByRole('table', { name: /Lernzyklus: Digitalisierung der Antragsverfahren/ }).isVisible(), 'Kooperationsraum: no learning cycle table');
    check(/überfällig seit \d+ Tag/.test(await page.locator('main').innerText()), 'Kooperationsraum: the overdue review is not marked in words');
    await audit(page, 'Kooperationsraum Vorderpfalz', cspErrors);
    await fitsPhone('Kooperationsraum Vorderpfalz');
  });

  await step('Neues Handlungsfeld (leer)', async () => {
    if (!regionPath) throw new Error('no region page');
    await page.goto(regionPath);
    await page.getByRole('button', { name: 'Handlungsfeld anlegen' }).click();
    await page.locator('#feld-name-fehler').waitFor();
    check(await page.getByLabel('Name des Handlungsfelds').getAttribute('aria-invalid') === 'true', 'Neues Handlungsfeld (leer): name not aria-invalid');
    await audit(page, 'Kooperationsraum mit Fehler', cspErrors);
  });

  await step('Handlungsfeld bearbeiten', async () => {
    if (!regionPath) throw new Error('no region page');
    await page.goto(regionPath);
    await page.getByRole('link', { name: 'Handlungsfeld „Digitalisierung der Antragsverfahren“ bearbeiten' }).click();
    await page.waitForURL(/\/Handlungsfeld\/\d+$/);
    check(await page.getByRole('heading', { level: 1, name: 'Handlungsfeld Digitalisierung der Antragsverfahren' }).isVisible(), 'Handlungsfeld: no h1');
    await audit(page, 'Handlungsfeld', cspErrors);
    await fitsPhone('Handlungsfeld');
    // By keyboard: a note for the step Reflexion, Tab to its button, Enter.
    await page.locator('#schritt-reflexion-notiz').fill('Reflexion nach einem Jahr gemeinsamer Kfz-Zulassung');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    check(focused === 'Reflexion speichern', `Handlungsfeld: Tab after the note focuses "${focused}", not its button`);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Reflexion' }).waitFor();
    check((await page.locator('#schritt-reflexion-notiz').inputValue()).includes('gemeinsamer Kfz-Zulassung'), 'Handlungsfeld: the note was not saved');
    await audit(page, 'Handlungsfeld nach dem Speichern', cspErrors);
  });

  await step('Kooperationsraum abmelden', () => signOut('Kooperationsraum abmelden'));

} finally {
  await browser.close();
}

const ok = failures.length === 0;
console.log(JSON.stringify({ pages, failures, ok }, null, 2));
process.exit(ok ? 0 : 1);
