import { Hono } from 'hono';
import { registry } from '../telemetry/index.js';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

/** The control plane's own routes; capabilities mount theirs with `app.route('/', …)`. */
export function createControlPlaneApp(readiness: ReadinessCheck[]): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      readiness.map(async ({ name, check }) => [name, await check().catch(() => false)] as const),
    );
    const ready = results.every(([, ok]) => ok);
    return c.json({ ready, checks: Object.fromEntries(results) }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', registry.contentType);
    return c.body(await registry.metrics());
  });
  return app;
}
