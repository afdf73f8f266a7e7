// Scenario: people change money and configuration on both apps (grants, voids, order payments and
// refunds, price rule versions, products and reward rules on the credit-store; API keys created,
// limited and revoked on the gateway) while each app is killed with SIGKILL several times and
// started again. An audit record exists for every change and no change exists without one: a
// request killed under way may or may not have happened, but never half.
import { FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { FAULT_TOKENS, useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { killRepeatedly } from './support/kill-loop';
import { AuditedCall, TAG, send, settledTrail } from './support/audited-changes';
import { sleep } from '../../bench/support/bench-stack';

const stack = useFaultStack('audit_kill', { gateway: true });

/** Successful changes between two kills of one app: each kill finds it busy. */
const STEP = 40;
const STORE_WORKERS = 6;
const GATEWAY_WORKERS = 4;

test(
  'kill -9 of either app mid-change: one ok audit record per change, none without its change',
  async () => {
    const admin = FAULT_TOKENS.admin;
    const setup = async (path: string, body: unknown, token = admin) => {
      const answer = await send(`${stack.storeUrl}${path}`, 'POST', token, `setup-${path}`, body);
      if (answer.status !== 201) throw new Error(`${path} answered ${answer.status}`);
      return answer.body;
    };
    const support = (await setup('/admin/principals', {
      name: `${TAG}-support`,
      role: 'support',
      daily_limit: 1_000_000_000,
    })) as { token: string };
    const product = (await setup('/admin/products', {
      sku: 'setup-sku',
      name: 'setup',
      credit_amount: 10,
      price_cent: 100,
      currency: 'USD',
    })) as { id: number };
    const ruleIds: number[] = [];
    for (let i = 0; i < 4; i++) {
      const rule = await setup('/admin/price-rules', {
        scene: `${TAG}-scene-${i}`,
        mode: 'fixed',
        credits_per_call: 1,
      });
      ruleIds.push(Number(rule.id));
    }

    const calls: AuditedCall[] = [];
    const done = { store: 0, gateway: 0 };
    let n = 0;
    /** One audited request; answers the body of a 2xx, or undefined. */
    const change = async (
      app: AuditedCall['app'],
      action: string,
      identity: string,
      method: string,
      path: string,
      body: unknown,
      token = admin,
    ) => {
      const base = app === 'store' ? stack.storeUrl : stack.gatewayUrl;
      const answer = await send(`${base}${path}`, method, token, `${TAG}-${++n}`, body);
      calls.push({ app, action, identity, status: answer.status });
      const ok = typeof answer.status === 'number' && answer.status < 300;
      if (ok) done[app]++;
      return ok ? answer.body : undefined;
    };

    // What each worker does, round after round: a few changes, each following on the last only
    // when that one was answered (a void of a grant that exists, a refund of a paid order...).
    const storeRound = async (w: number, round: number) => {
      const k = `${w}-${round}`;
      const user = `${TAG}-u-${w}`;
      const grant = `${TAG}-g-${k}`;
      const body = { event_id: grant, amount: 10, source: 'gift' };
      const granted = await change(
        'store',
        'grant.create',
        `${grant}@${user}`,
        'POST',
        `/accounts/${user}/grants`,
        body,
        support.token,
      );
      if (granted && round % 2 === 0) {
        await change(
          'store',
          'grant.void',
          grant,
          'POST',
          `/grants/${grant}/void`,
          {
            reason: 'mistake',
          },
          support.token,
        );
      }
      const rule = ruleIds[(w + round) % ruleIds.length];
      const updated = await change(
        'store',
        'price_rule.update',
        '',
        'PATCH',
        `/admin/price-rules/${rule}`,
        {
          credits_per_call: 2 + n,
        },
      );
      if (updated) {
        calls.at(-1)!.identity = `${String(updated.id)}:${String(updated.version)}@${rule}`;
      }
      const buyer = `${TAG}-o-${k}`;
      const order = await change('store', 'order.create', buyer, 'POST', '/orders', {
        user_id: buyer,
        product_id: product.id,
        quantity: 1,
      });
      if (order) {
        const id = String(order.order_id);
        const paid = await change('store', 'order.paid', id, 'POST', `/orders/${id}/paid`, {});
        if (paid) {
          await change(
            'store',
            'order.refund',
            id,
            'POST',
            `/orders/${id}/refund`,
            {},
            support.token,
          );
        }
      }
      if (round % 3 === 0) {
        const sku = `${TAG}-sku-${k}`;
        const made = await change('store', 'product.create', sku, 'POST', '/admin/products', {
          sku,
          name: 'p',
          credit_amount: 1,
          price_cent: 1,
          currency: 'USD',
        });
        if (made) {
          const id = String(made.id);
          await change('store', 'product.update', id, 'PATCH', `/admin/products/${id}`, {
            name: `${TAG}-renamed-${k}`,
          });
        }
        const source = `${TAG}-rw-${k}`;
        const rewarded = await change(
          'store',
          'reward_rule.create',
          source,
          'POST',
          '/admin/reward-rules',
          {
            source,
            name: 'r',
            amount: 1,
          },
        );
        if (rewarded) {
          const id = String(rewarded.id);
          await change('store', 'reward_rule.update', id, 'PATCH', `/admin/reward-rules/${id}`, {
            amount: 2,
          });
        }
      }
    };
    const gatewayRound = async (w: number, round: number) => {
      const name = `${TAG}-key-${w}-${round}`;
      const user = `${TAG}-k-${w}`;
      const key = await change(
        'gateway',
        'api_key.create',
        `${name}@${user}`,
        'POST',
        '/admin/api-keys',
        {
          user_id: user,
          name,
        },
      );
      if (!key) return;
      const id = String(key.id);
      const limited = await change(
        'gateway',
        'api_key.update',
        id,
        'PATCH',
        `/admin/api-keys/${id}`,
        {
          rpm: 1000 + round,
        },
      );
      if (limited && round % 2 === 0) {
        await change('gateway', 'api_key.revoke', id, 'POST', `/admin/api-keys/${id}/revoke`, {});
      }
    };

    let killing = true;
    const workers = (count: number, round: (w: number, r: number) => Promise<void>) =>
      Array.from({ length: count }, async (_, w) => {
        for (let r = 0; killing; r++) await round(w, r);
      });
    const working = [
      ...workers(STORE_WORKERS, storeRound),
      ...workers(GATEWAY_WORKERS, gatewayRound),
    ];
    const kills = (app: 'credit-store' | 'ai-gateway', key: keyof typeof done) =>
      killRepeatedly(stack, app, {
        count: FAULTS.faults,
        total: STEP * (FAULTS.faults + 1),
        progress: () => Promise.resolve(done[key]),
      });
    const [storeAtKill, gatewayAtKill] = await Promise.all([
      kills('credit-store', 'store'),
      kills('ai-gateway', 'gateway'),
    ]);
    // A little more work on the restarted apps, then the workers finish their round.
    await sleep(1000);
    killing = false;
    await Promise.all(working);

    const check = await settledTrail(stack, ruleIds, calls);
    const cut = calls.filter((c) => c.status === 'cut');
    printFigures('audit trail under kill -9 of either app', {
      'audited requests sent': calls.length,
      'answered 2xx': calls.filter((c) => typeof c.status === 'number' && c.status < 300).length,
      'answered 4xx/5xx': calls.filter((c) => typeof c.status === 'number' && c.status >= 400)
        .length,
      'cut by a kill (no answer)': cut.length,
      'refused (app down, not sent)': calls.filter((c) => c.status === 'refused').length,
      'credit-store kills (changes done at each)': storeAtKill.join(', '),
      'gateway kills (changes done at each)': gatewayAtKill.join(', '),
      ...Object.fromEntries(Object.entries(check.changes).map(([a, c]) => [`changes ${a}`, c])),
      problems: check.problems.length,
    });

    expect(check.problems).toEqual([]);
    expect(storeAtKill).toHaveLength(FAULTS.faults);
    expect(gatewayAtKill).toHaveLength(FAULTS.faults);
    // Requests were under way on both apps when they died (else the kills proved nothing).
    expect(new Set(cut.map((c) => c.app))).toEqual(new Set(['store', 'gateway']));
    // Every family of change was made, so each was checked.
    for (const [action, count] of Object.entries(check.changes)) {
      expect(`${action}: ${count > 0}`).toBe(`${action}: true`);
    }
  },
  SCENARIO_TIMEOUT_MS,
);
