/**
 * The shipped monitoring files against promtool and against the control plane's own registry:
 * the rules and the scrape config are valid, the rules' unit tests pass, every alert has a case
 * where it fires and one where it must not, and every metric the rules and the dashboard name is
 * one the control plane serves. promtool comes from Debian's `prometheus` package (versions.env).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
// What the control plane loads: the stack (webhooks, provisioning, the control plane itself) and
// the call metrics its event reader feeds, plus the certificate gauge.
import '../../src/stack/index.js';
import '../../src/telemetry/call-metrics.js';
import '../../src/telemetry/certificate-metrics.js';
import { registry } from '../../src/telemetry/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const ALERTS = join(here, 'alerts.yml');
const ALERT_TESTS = join(here, 'alerts.test.yml');
const PROMETHEUS = join(here, 'prometheus.yml');
const DASHBOARD = join(here, '..', 'grafana', 'switchboard.json');

/** Series Prometheus makes itself for every target, not the control plane. */
const SYNTHETIC = new Set(['up']);

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  if (run.error) {
    throw new Error(
      `cannot run promtool (${run.error.message}): apt-get install prometheus (APT_PACKAGES in versions.env)`,
    );
  }
  return { status: run.status, output: run.stdout + run.stderr };
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rulesIn = (file: string) =>
  (parse(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );

interface Target {
  expr?: string;
}
interface Panel {
  type: string;
  id: number;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  gridPos: { x: number; w: number };
}
interface Dashboard {
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: unknown; definition?: string }[] };
  panels: Panel[];
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
/** Grafana's variables, replaced so promtool can parse the expressions. */
const asPromql = (expr: string) =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('$trunk', '.*');

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The metric names an expression selects: identifiers left once strings, label matchers, ranges,
 * grouping clauses, numbers and durations are gone, that do not call a function or aggregation.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[0-9][\w.]*|[a-zA-Z_:][\w:]*(\s*\()?/g)) {
    const [token, call] = [m[0], m[1]];
    if (/^[0-9]/.test(token) || call) continue;
    if (!KEYWORDS.has(token.toLowerCase())) names.add(token);
  }
  return [...names];
}

/** The names /metrics serves: each metric, and a histogram's _bucket, _sum and _count series. */
async function servedNames(): Promise<Set<string>> {
  const served = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    const suffixes: Record<string, string[]> = {
      histogram: ['_bucket', '_sum', '_count'],
      summary: ['_sum', '_count'],
    };
    // Typed as a numeric enum, but a string ('histogram') at run time.
    const type = String(m.type);
    if (type !== 'histogram') served.add(m.name);
    for (const s of suffixes[type] ?? []) served.add(m.name + s);
  }
  return served;
}

const unknownIn = (exprs: string[], served: Set<string>) =>
  [...new Set(exprs.flatMap(metricNames))].filter((n) => !served.has(n) && !SYNTHETIC.has(n));

describe('promtool on deploy/prometheus', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-prometheus-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The rule tests simulate two and a half days minute by minute (the weekend case): ~10 s alone.
  it('accepts the rules, the scrape config, and the rules pass their unit tests', () => {
    for (const args of [
      ['check', 'rules', ALERTS],
      ['check', 'config', PROMETHEUS],
      ['test', 'rules', ALERT_TESTS],
    ]) {
      const run = promtool(...args);
      expect(run.status, `promtool ${args.join(' ')}\n${run.output}`).toBe(0);
    }
  }, 120_000);

  it('fails a broken rule file, a config that loads it, and a rule that no longer meets its tests', () => {
    const text = readFileSync(ALERTS, 'utf8');
    copyFileSync(PROMETHEUS, join(dir, 'prometheus.yml'));

    writeFileSync(join(dir, 'alerts.yml'), text.replace('> 0.10', '> 0.10)'));
    expect(promtool('check', 'rules', join(dir, 'alerts.yml')).status).not.toBe(0);
    expect(promtool('check', 'config', join(dir, 'prometheus.yml')).status).not.toBe(0);

    // Valid, but the error-rate alert now needs 50 %: its positive case (16.7 %) must fail. Only
    // that alert's cases run (the whole file takes ~10 s); unchanged, they pass.
    const file = parse(readFileSync(ALERT_TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string }[] }[];
    };
    const errorCases = file.tests.filter((t) =>
      t.alert_rule_test?.some((c) => c.alertname === 'SwitchboardCallErrorsHigh'),
    );
    expect(errorCases.length).toBeGreaterThanOrEqual(2);
    writeFileSync(join(dir, 'alerts.test.yml'), stringify({ ...file, tests: errorCases }));
    writeFileSync(join(dir, 'alerts.yml'), text);
    expect(promtool('test', 'rules', join(dir, 'alerts.test.yml')).status).toBe(0);
    writeFileSync(join(dir, 'alerts.yml'), text.replace('> 0.10', '> 0.50'));
    expect(promtool('check', 'rules', join(dir, 'alerts.yml')).status).toBe(0);
    const run = promtool('test', 'rules', join(dir, 'alerts.test.yml'));
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('SwitchboardCallErrorsHigh');
  });

  it('parses every dashboard expression as PromQL', () => {
    const rules = dashboardExprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr }));
    const file = join(dir, 'dashboard-rules.yml');
    const write = (exprs: { record: string; expr: string }[]) =>
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: exprs }] }));
    write(rules.map((r) => ({ ...r, expr: asPromql(r.expr) })));
    const run = promtool('check', 'rules', file);
    expect(run.status, run.output).toBe(0);
    write([{ record: 'dashboard:broken', expr: 'sum by (le) (rate(x[5m])' }]);
    expect(promtool('check', 'rules', file).status).not.toBe(0);
  });
});

describe('alerts.yml', () => {
  const alerts = rulesIn(ALERTS).filter((r) => r.alert);
  const tests = (
    parse(readFileSync(ALERT_TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    }
  ).tests.flatMap((t) => t.alert_rule_test ?? []);

  it('gives every alert a severity, a summary and a description saying what to do', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(12);
    for (const rule of alerts) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description?.length ?? 0, rule.alert).toBeGreaterThan(80);
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('tests every alert firing and not firing', () => {
    for (const { alert } of alerts) {
      const cases = tests.filter((t) => t.alertname === alert);
      expect(
        cases.some((t) => (t.exp_alerts ?? []).length > 0),
        `${alert}: a case where it fires`,
      ).toBe(true);
      expect(
        cases.some((t) => (t.exp_alerts ?? []).length === 0),
        `${alert}: a case where it must not fire`,
      ).toBe(true);
    }
  });
});

describe('grafana/switchboard.json', () => {
  it('is a dashboard for Grafana 9+ on a chosen Prometheus data source', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ds = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it('shows what an operator needs', () => {
    const used = new Set(dashboardExprs.flatMap(metricNames));
    for (const name of [
      'switchboard_calls_total',
      'switchboard_calls_active',
      'switchboard_call_answer_seconds_bucket',
      'switchboard_call_greeting_seconds_bucket',
      'switchboard_turn_stage_seconds_bucket',
      'switchboard_admission_decisions_total',
      'switchboard_admission_redis_failures_total',
      'switchboard_transfers_total',
      'switchboard_emergency_detections_total',
      'switchboard_call_events_stream_errors_total',
      'switchboard_tls_certificate_expiry_timestamp_seconds',
      'switchboard_webhook_requests_total',
    ]) {
      expect(used, name).toContain(name);
    }
  });
});

describe('metric names in the rules and the dashboard', () => {
  it('finds the metrics an expression selects, and nothing else', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, stage) (rate(switchboard_turn_stage_seconds_bucket{stage="turn_gap",x=~"$trunk"}[$__rate_interval]))) > 1.1 ' +
          'and on () sum(up{job="a_b"} offset 5m) or vector(0) unless day_of_week() >= 1 and 14 * 86400',
      ).sort(),
    ).toEqual(['switchboard_turn_stage_seconds_bucket', 'up']);
  });

  it('are all served by the control plane', async () => {
    const served = await servedNames();
    const ruleExprs = rulesIn(ALERTS).map((r) => r.expr);
    const variableQueries = dashboard.templating.list
      .map((v) => /label_values\(\s*([\w:]+)/.exec(v.definition ?? '')?.[1])
      .filter((n): n is string => n !== undefined);
    const referenced = [...ruleExprs, ...dashboardExprs].flatMap(metricNames);
    // Not vacuous: the extraction found the metrics the alerts are about.
    expect(referenced).toEqual(
      expect.arrayContaining([
        'switchboard_calls_total',
        'switchboard_tls_certificate_expiry_timestamp_seconds',
      ]),
    );
    expect(unknownIn([...ruleExprs, ...dashboardExprs, ...variableQueries], served)).toEqual([]);
  });

  it('a reference to a metric the control plane does not serve fails', async () => {
    const served = await servedNames();
    expect(
      unknownIn(
        [
          'sum(rate(switchboard_calls_answered_total[5m]))',
          'rate(switchboard_calls_total_bucket[5m])',
          'histogram_quantile(0.5, rate(switchboard_call_answer_seconds_bucket[5m]))',
          'switchboard_calls_active{state="switchboard_not_a_metric"}',
        ],
        served,
      ),
    ).toEqual(['switchboard_calls_answered_total', 'switchboard_calls_total_bucket']);
  });
});
