import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatStack } from './support/chat-stack';
import { call } from './support/http';
import { scrape, total } from './support/metrics';

const OPS = join(__dirname, '..', 'ops');
const RULES = join(OPS, 'alerts.rules.yml');
const DASHBOARD = join(OPS, 'grafana-dashboard.json');

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const dashboardExprs = dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr));

/** `promtool check rules` on a file: fails the test when promtool is not installed. */
function promtoolCheckRules(file: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
  if (run.error) {
    throw new Error(
      `promtool is needed to check ops/ (${run.error.message}): apt-get install prometheus (.ci/run does)`,
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The series an expression names (ours, http_ and Node's), histogram suffixes taken off. */
function seriesNamed(expr: string): string[] {
  return [...expr.matchAll(/\b((?:tally|http|process|nodejs)_[a-z_]+)\b/g)].map((m) =>
    m[1].replace(/_(bucket|sum|count)$/, ''),
  );
}

describe('ops/: the Grafana dashboard and the Prometheus alert rules', () => {
  it('the alert rules pass promtool, and cover what needs a person', () => {
    const checked = promtoolCheckRules(RULES);
    expect(checked.output).toContain('SUCCESS');
    expect(checked.status).toBe(0);
    const rules = readFileSync(RULES, 'utf8');
    for (const series of [
      'tally_consumer_lag',
      'tally_outbox_oldest_unsent_age_seconds',
      'tally_outbox_parked_rows',
      'tally_balance_snapshots_parked',
      'tally_dlq_messages_total',
      'tally_reconciliation_ok',
      'tally_reconciliation_last_run_timestamp_seconds',
    ]) {
      expect(rules).toContain(series);
    }
  });

  it('promtool tells a broken rule file from a good one (the check above means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-rules-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(
        broken,
        'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(x[5m])\n',
      );
      expect(promtoolCheckRules(broken).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the dashboard has what Grafana requires, every query valid PromQL', () => {
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).toEqual(expect.any(String));
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(dashboard.panels.length).toBeGreaterThan(0);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel).toMatchObject({
        id: expect.any(Number) as unknown,
        type: expect.stringMatching(/^(timeseries|stat)$/) as unknown,
        title: expect.stringMatching(/\S/) as unknown,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        gridPos: {
          x: expect.any(Number) as unknown,
          y: expect.any(Number) as unknown,
          w: expect.any(Number) as unknown,
          h: expect.any(Number) as unknown,
        },
      });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.refId).toMatch(/^[A-Z]$/);
        expect(target.expr).toMatch(/\S/);
      }
    }
    for (const series of [
      'tally_ledger_events_total',
      'tally_consumer_lag',
      'tally_outbox_oldest_unsent_age_seconds',
      'tally_outbox_parked_rows',
      'tally_dlq_messages_total',
      'tally_guard_refusals_total',
      'tally_upstream_response_seconds',
      'tally_reconciliation_ok',
    ]) {
      expect(dashboardExprs.flatMap(seriesNamed)).toContain(series);
    }
    // Each query as a recording rule, for promtool to parse.
    const dir = mkdtempSync(join(tmpdir(), 'tally-dashboard-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      const rules = dashboardExprs.map(
        (expr, i) =>
          `      - record: tally:dashboard_query_${i}\n        expr: ${JSON.stringify(expr)}\n`,
      );
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('')}`);
      const checked = promtoolCheckRules(file);
      expect(checked.output).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
      expect(checked.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('every series they name is one the apps export', () => {
    const stack = new ChatStack();
    beforeAll(() => stack.start());
    afterAll(() => stack.stop());

    /** The series both apps declare on /metrics (`# TYPE` lines: also those without samples yet). */
    async function declared(): Promise<Set<string>> {
      const names = new Set<string>();
      for (const url of [stack.gateway.url, stack.store.url]) {
        const text = await (await fetch(`${url}/metrics`)).text();
        for (const match of text.matchAll(/^# TYPE (\S+) \S+$/gm)) names.add(match[1]);
      }
      return names;
    }

    it('the dashboard and the rules name no series that does not exist', async () => {
      const names = await declared();
      const named = new Set([
        ...dashboardExprs.flatMap(seriesNamed),
        ...seriesNamed(readFileSync(RULES, 'utf8')),
      ]);
      const missing = [...named].filter((series) => !names.has(series));
      expect(missing).toEqual([]);
    });

    it('the new series move: upstream latency by surface, guard refusals, reconciliation', async () => {
      const model = await stack.addModel(
        { chunks: ['Hi', '!'], usage: { prompt_tokens: 10, completion_tokens: 2 } },
        { input: '1000000', output: '1000000' },
      );
      const before = await scrape(stack.gateway.url);
      const user = await stack.fundedUser(100);
      const { key } = await stack.newKey(user);
      const client = stack.client(key);
      await client.chat.completions.create({
        model,
        max_tokens: 5,
        messages: [{ role: 'user', content: 'Hello' }],
      });
      // Far more than the 100 credits: refused by the guard before the upstream is asked.
      const refused = await client.chat.completions
        .create({ model, max_tokens: 5000, messages: [{ role: 'user', content: 'Hello' }] })
        .then(
          () => undefined,
          (error: { status?: number }) => error.status,
        );
      expect(refused).toBe(402);
      const after = await scrape(stack.gateway.url);
      const delta = (name: string, labels: Record<string, string>) =>
        (total(after, name, labels) ?? 0) - (total(before, name, labels) ?? 0);
      expect(
        delta('tally_upstream_response_seconds_count', {
          surface: 'chat',
          provider: 'openai',
          outcome: '2xx',
        }),
      ).toBe(1);
      expect(delta('tally_guard_refusals_total', { reason: 'insufficient_credits' })).toBe(1);

      const reconciled = await call<{ ok: boolean }>(
        'GET',
        `${stack.store.url}/finance/reconciliation`,
      );
      expect(reconciled.body.ok).toBe(true);
      const store = await scrape(stack.store.url);
      expect(total(store, 'tally_reconciliation_ok')).toBe(1);
      expect(total(store, 'tally_reconciliation_mismatches')).toBe(0);
      expect(total(store, 'tally_reconciliation_last_run_timestamp_seconds')).toBeGreaterThan(
        Date.now() / 1000 - 60,
      );
    });
  });
});
