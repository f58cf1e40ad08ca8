/**
 * The local platform's embedded trigger adapters on their own (issue 9): the
 * scheduler, the topic bus and the export registry over a real SQLite
 * platform database in a temporary directory, reopened to stand for a
 * platform restart. The end-to-end tests (triggers-e2e.test.ts) run them under
 * the real trigger handlers on a real platform.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { SNSEvent } from 'aws-lambda';
import type { ScheduleDefinition, ScheduleEvent } from '@fluxio/trigger/ports';
import { SCHEDULED_TIME_PLACEHOLDER } from '@fluxio/trigger/ports';
import { openPlatformDatabase, type PlatformDatabase } from '../src/store/database.ts';
import { LocalScheduler } from '../src/triggers/LocalScheduler.ts';
import { LocalTopics, localTopicArn } from '../src/triggers/LocalTopics.ts';
import { LocalExports } from '../src/triggers/LocalExports.ts';
import { atExpression, eventually, removeDir, tempDir } from './triggers-helpers.ts';

const dirs: string[] = [];
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  for (const d of dirs.splice(0)) {
    await eventually(`removing ${d}`, () => {
      try {
        removeDir(d);
        return true;
      } catch {
        return undefined;
      }
    }, 10_000);
  }
});

function database(dir?: string): { dir: string; db: PlatformDatabase } {
  const d = dir ?? tempDir('fluxio-trigger-adapters-');
  if (!dir) dirs.push(d);
  const db = openPlatformDatabase(d);
  open.push(db);
  return { dir: d, db };
}

const definition = (name: string, expression: string, timezone: string | null = null): ScheduleDefinition => ({
  group: 'fluxio-local-shop',
  name,
  expression,
  timezone,
  input: { project: 'shop', stateMachine: name, schedule: name, scheduledTime: SCHEDULED_TIME_PLACEHOLDER, inputData: { mode: 'scheduled' } },
});

function scheduler(db: PlatformDatabase, now: () => number = Date.now, deliver?: (e: ScheduleEvent) => Promise<unknown>) {
  const fired: ScheduleEvent[] = [];
  const reports: string[] = [];
  const s = new LocalScheduler({
    database: db,
    deliver: deliver ?? (async (e) => void fired.push(e)),
    now,
    report: (m) => void reports.push(m),
    retry: { attempts: 3, baseDelayMs: 5 },
  });
  open.push(s);
  return { s, fired, reports };
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('LocalScheduler', () => {
  test('an at() schedule fires once, with the scheduled time in the target input, and is done', async () => {
    const { db } = database();
    const due = Math.ceil((Date.now() + 1500) / 1000) * 1000;
    const { s, fired } = scheduler(db);
    await s.replaceGroup('fluxio-local-shop', [definition('main', atExpression(due))]);
    s.start();
    await eventually('the at() schedule to fire', () => (fired.length ? fired : undefined));
    await s.idle();
    expect(fired).toEqual([{ project: 'shop', stateMachine: 'main', schedule: 'main', scheduledTime: iso(due), inputData: { mode: 'scheduled' } }]);
    const [state] = s.states('fluxio-local-shop');
    expect(state).toMatchObject({ lastFiredTime: iso(due), nextFireTime: null });
  });

  test('after a restart, a cron schedule that missed fire times fires once, for the most recent one, then continues', async () => {
    const { dir, db } = database();
    const created = Date.UTC(2026, 11, 1, 9, 30, 0);
    const first = scheduler(db, () => created);
    await first.s.replaceGroup('fluxio-local-shop', [definition('hourly', 'cron(0 * * * ? *)')]);
    first.s.start();
    expect(first.s.states()[0]!.nextFireTime).toBe('2026-12-01T10:00:00Z');
    await first.s.close();
    db.close();

    // Down from 09:30 to 12:20: 10:00, 11:00 and 12:00 passed unseen.
    const again = database(dir);
    const later = scheduler(again.db, () => Date.UTC(2026, 11, 1, 12, 20, 0));
    later.s.start();
    await later.s.idle();
    expect(later.fired.map((e) => e.scheduledTime)).toEqual(['2026-12-01T12:00:00Z']);
    expect(later.s.states()[0]).toMatchObject({ lastFiredTime: '2026-12-01T12:00:00Z', nextFireTime: '2026-12-01T13:00:00Z' });
    await later.s.close();
    again.db.close();

    // Restarted again before 13:00: nothing is due.
    const third = database(dir);
    const once = scheduler(third.db, () => Date.UTC(2026, 11, 1, 12, 40, 0));
    once.s.start();
    await once.s.idle();
    expect(once.fired).toEqual([]);
  });

  test('an at() that fired never fires again after restarts; one missed while down fires once on start', async () => {
    const { dir, db } = database();
    const created = Date.UTC(2026, 11, 1, 9, 0, 0);
    const at = Date.UTC(2026, 11, 1, 9, 5, 0);
    const a = scheduler(db, () => created);
    await a.s.replaceGroup('fluxio-local-shop', [definition('once', atExpression(at))]);
    a.s.start();
    await a.s.close();
    db.close();
    for (const [now, expected] of [
      [at + 60_000, [iso(at)]],
      [at + 120_000, []],
      [at + HOUR, []],
    ] as const) {
      const d = database(dir);
      const b = scheduler(d.db, () => now);
      b.s.start();
      await b.s.idle();
      expect(b.fired.map((e) => e.scheduledTime)).toEqual(expected);
      await b.s.close();
      d.db.close();
    }
  });

  test('a rate schedule fires at its creation and every interval from it; a time zone moves a cron schedule', async () => {
    const { db } = database();
    const created = Date.UTC(2026, 11, 1, 9, 17, 42);
    const { s } = scheduler(db, () => created);
    await s.replaceGroup('fluxio-local-shop', [definition('rate', 'rate(10 minutes)'), definition('berlin', 'cron(0 9 * * ? *)', 'Europe/Berlin')]);
    const states = Object.fromEntries(s.states().map((x) => [x.name, x]));
    expect(states.rate!.nextFireTime).toBe('2026-12-01T09:17:42Z');
    // 09:00 in Berlin (UTC+1 in December) is 08:00 UTC, so the next one is tomorrow's.
    expect(states.berlin!.nextFireTime).toBe('2026-12-02T08:00:00Z');
  });

  test('missed fire times older than the retry window are skipped and reported', async () => {
    const { dir, db } = database();
    const created = Date.UTC(2026, 11, 1, 9, 0, 0);
    const a = scheduler(db, () => created);
    await a.s.replaceGroup('fluxio-local-shop', [definition('once', atExpression(created + 60_000))]);
    await a.s.close();
    db.close();
    const d = database(dir);
    const b = scheduler(d.db, () => created + 3 * 86_400_000);
    b.s.start();
    await b.s.idle();
    expect(b.fired).toEqual([]);
    expect(b.reports.join('\n')).toMatch(/shop\/once .*missed fire times more than 86400 s ago/);
  });

  test('replaceGroup keeps what the group lists, deletes the rest, and refuses an invalid expression saying why', async () => {
    const { db } = database();
    const { s } = scheduler(db);
    await s.replaceGroup('fluxio-local-shop', [definition('a', 'rate(1 hour)'), definition('b', 'rate(2 hours)')]);
    await s.replaceGroup('fluxio-local-shop', [definition('b', 'rate(2 hours)')]);
    expect((await s.list('fluxio-local-shop')).map((x) => x.name)).toEqual(['b']);
    await expect(s.replaceGroup('fluxio-local-shop', [definition('c', 'rate(5 minute)')])).rejects.toThrow(/plural unit.*rate\(5 minutes\)/);
    expect((await s.list('fluxio-local-shop')).map((x) => x.name)).toEqual(['b']);
    await s.deleteGroup('fluxio-local-shop');
    expect(await s.list('fluxio-local-shop')).toEqual([]);
    await s.deleteGroup('fluxio-local-shop'); // absent: not an error
  });

  test('a failing delivery is retried, and reported when it keeps failing', async () => {
    const { db } = database();
    let calls = 0;
    const due = Math.ceil((Date.now() + 1200) / 1000) * 1000;
    const { s, reports } = scheduler(db, Date.now, async () => {
      calls++;
      throw new Error('Step Functions is down');
    });
    await s.replaceGroup('fluxio-local-shop', [definition('main', atExpression(due))]);
    s.start();
    await eventually('the report', () => (reports.length ? reports : undefined));
    expect(calls).toBe(3);
    expect(reports[0]).toMatch(/schedule fluxio-local-shop\/main at .* failed after 3 attempt\(s\).*Step Functions is down/);
  });
});

describe('LocalTopics', () => {
  function topics(db: PlatformDatabase, deliver?: (e: SNSEvent) => Promise<unknown>) {
    const delivered: SNSEvent[] = [];
    const reports: string[] = [];
    const t = new LocalTopics({ database: db, deliver: deliver ?? (async (e) => void delivered.push(e)), report: (m) => void reports.push(m), retry: { attempts: 3, baseDelayMs: 5 } });
    open.push(t);
    t.start();
    return { t, delivered, reports };
  }

  test('a message of a subscribed topic reaches the subscribe function as the SNS Lambda event, with its attributes', async () => {
    const { db } = database();
    const { t, delivered } = topics(db);
    const arn = await t.ensure('fluxio-local-orders-main-success', { 'fluxio:project': 'orders' });
    expect(arn).toBe('arn:aws:sns:us-east-1:000000000000:fluxio-local-orders-main-success');
    await t.subscribe(arn);
    await t.subscribe(arn); // idempotent: still one subscription
    const seen: string[] = [];
    t.onPublish((m) => seen.push(m.messageId));
    const { messageId } = await t.publish(arn, '{"status":"SUCCEEDED"}', { region: 'eu', project: 'orders' });
    await t.idle();
    expect(seen).toEqual([messageId]);
    expect(delivered).toHaveLength(1);
    const [record] = delivered[0]!.Records;
    expect(record).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      Sns: {
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: arn,
        Subject: null,
        Message: '{"status":"SUCCEEDED"}',
        SignatureVersion: '1',
        MessageAttributes: { region: { Type: 'String', Value: 'eu' }, project: { Type: 'String', Value: 'orders' } },
      },
    });
    expect(record!.EventSubscriptionArn).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    expect(record!.Sns.UnsubscribeUrl).toContain(record!.EventSubscriptionArn);
    expect(Number.isNaN(Date.parse(record!.Sns.Timestamp))).toBe(false);
  });

  test('topics and subscriptions survive a restart; an unsubscribed topic only reaches onPublish listeners', async () => {
    const { dir, db } = database();
    const a = topics(db);
    const sub = await a.t.ensure('sub', {});
    const unsub = await a.t.ensure('unsub', {});
    await a.t.subscribe(sub);
    await a.t.subscribe(unsub);
    await a.t.unsubscribe(unsub);
    await a.t.close();
    db.close();
    const d = database(dir);
    const b = topics(d.db);
    expect(b.t.list().map((x) => [x.name, x.subscriptionArn !== null])).toEqual([
      ['sub', true],
      ['unsub', false],
    ]);
    const seen: string[] = [];
    b.t.onPublish((m) => seen.push(m.topicArn));
    await b.t.publish(sub, 'one', {});
    await b.t.publish(unsub, 'two', {});
    await b.t.idle();
    expect(seen).toEqual([sub, unsub]);
    expect(b.delivered.map((e) => e.Records[0]!.Sns.Message)).toEqual(['one']);
  });

  test('refuses what SNS refuses: an absent topic, a message over 256 KiB, a bad name', async () => {
    const { db } = database();
    const { t } = topics(db);
    await expect(t.publish(localTopicArn('nope'), 'x', {})).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(t.subscribe('arn:aws:sns:eu-west-1:123456789012:theirs')).rejects.toMatchObject({ code: 'Trigger.TopicNotFound', statusCode: 400 });
    const arn = await t.ensure('big', {});
    await expect(t.publish(arn, 'x'.repeat(262_144 - 10), { tag: 'more than ten bytes' })).rejects.toThrow(/Message too long/);
    await expect(t.ensure('bad name!', {})).rejects.toThrow(/letters, digits, hyphens or underscores/);
    await t.delete(arn);
    await t.delete(arn); // absent: not an error
    expect(t.list()).toEqual([]);
  });

  test('a message not delivered before the platform stopped is delivered on the next start, once', async () => {
    const { dir, db } = database();
    const a = topics(db, async () => {
      throw new Error('Step Functions is not up');
    });
    const arn = await a.t.ensure('orders', {});
    await a.t.subscribe(arn);
    const { messageId } = await a.t.publish(arn, 'kept', {});
    await a.t.pause(); // the first attempt fails, the retry waits: cancelled by the shutdown
    await a.t.publish(arn, 'while stopping', {}); // recorded only
    await a.t.close();
    expect(a.reports.join('\n')).toMatch(/kept and delivered when the platform starts again/);
    db.close();
    const d = database(dir);
    const b = topics(d.db);
    await b.t.idle();
    expect(b.delivered.map((e) => [e.Records[0]!.Sns.Message, e.Records[0]!.Sns.MessageId === messageId])).toEqual([
      ['kept', true],
      ['while stopping', false],
    ]);
    await b.t.close();
    d.db.close();
    const c = topics(database(dir).db);
    await c.t.idle();
    expect(c.delivered).toEqual([]);
  });

  test('subscribing to a local topic ARN nothing created yet (a topic outside Fluxio, from exports.json) creates it', async () => {
    const { db } = database();
    const { t, delivered } = topics(db);
    await t.subscribe(localTopicArn('billing-events'));
    await t.publish(localTopicArn('billing-events'), '{"invoice": 7}', {});
    await t.idle();
    expect(delivered.map((e) => e.Records[0]!.Sns.Message)).toEqual(['{"invoice": 7}']);
  });

  test('a failing delivery is retried with backoff, then reported; a later success is delivered once', async () => {
    const { db } = database();
    let calls = 0;
    const ok: string[] = [];
    const { t, reports } = topics(db, async (e) => {
      calls++;
      const m = e.Records[0]!.Sns.Message;
      if (m === 'always' || calls === 1) throw new Error(`downstream refused ${m}`);
      ok.push(m);
    });
    const arn = await t.ensure('flaky', {});
    await t.subscribe(arn);
    await t.publish(arn, 'once', {});
    await t.idle();
    expect(ok).toEqual(['once']);
    expect(reports).toEqual([]);
    await t.publish(arn, 'always', {});
    await t.idle();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/message .* of arn:aws:sns:us-east-1:000000000000:flaky failed after 3 attempt\(s\).*downstream refused always/);
  });
});

describe('LocalExports', () => {
  test('project exports are owned, replaced and removed per project; the operator file wins and is checked', async () => {
    const { dir, db } = database();
    const e = new LocalExports({ database: db, dataDir: dir });
    await e.publish('orders', { 'fluxio-local-orders-main-success-topic-arn': 'arn:1', 'fluxio-local-orders-old-success-topic-arn': 'arn:old' });
    await e.publish('orders', { 'fluxio-local-orders-main-success-topic-arn': 'arn:2' });
    expect(await e.resolve('fluxio-local-orders-main-success-topic-arn')).toBe('arn:2');
    expect(await e.resolve('fluxio-local-orders-old-success-topic-arn')).toBeUndefined();
    await expect(e.publish('billing', { 'fluxio-local-orders-main-success-topic-arn': 'arn:3' })).rejects.toMatchObject({ code: 'Trigger.ExportTaken' });

    writeFileSync(join(dir, 'exports.json'), JSON.stringify({ 'local-billing-topic-arn': 'arn:aws:sns:us-east-1:000000000000:billing' }));
    expect(await e.resolve('local-billing-topic-arn')).toBe('arn:aws:sns:us-east-1:000000000000:billing');
    writeFileSync(join(dir, 'exports.json'), '{"a": 1}');
    await expect(e.resolve('a')).rejects.toThrow(/exports.json must be a JSON object of export name to string value/);
    writeFileSync(join(dir, 'exports.json'), '{}');

    await e.remove('orders');
    expect(await e.resolve('fluxio-local-orders-main-success-topic-arn')).toBeUndefined();
  });
});
