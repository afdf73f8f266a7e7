import { PriceRuleRepository } from '../apps/credit-store/src/pricing/price-rule.repository';
import { PricingService } from '../apps/credit-store/src/pricing/pricing.service';
import { useCreditStore } from './support/apps';
import { scalar } from './support/db';
import { call, HttpAnswer } from './support/http';
import { unique } from './support/wait';

interface Rule {
  id: number;
  version: number;
  scene: string;
  provider: string | null;
  model: string | null;
  mode: string;
  priority: number;
  status: string;
  input_per_million: string | null;
  output_per_million: string | null;
  credits_per_call: string | null;
  min_credits: number | null;
  versions?: Rule[];
}
interface Quote {
  amount: number;
  rule_id: number;
  rule_version: number;
  mode: string;
  exact_cost: string;
  usage: Record<string, number>;
}
interface RewardRule {
  id: number;
  source: string;
  name: string;
  amount: number;
  status: string;
}
interface ErrorAnswer {
  statusCode: number;
  code: string;
  message: string;
}

describe('price rules: versions, matching and quotes; reward rules', () => {
  const app = useCreditStore();

  const rules = `/admin/price-rules`;
  const send = <T = Rule>(
    method: string,
    path: string,
    body?: unknown,
    as: 'admin' | 'internal' | 'none' = 'admin',
  ): Promise<HttpAnswer<T>> => call<T>(method, `${app.store.url}${path}`, { body, as });
  const create = async (body: Record<string, unknown>): Promise<Rule> => {
    const answer = await send('POST', rules, body);
    expect(answer).toMatchObject({ status: 201 });
    return answer.body;
  };
  const quote = (body: Record<string, unknown>) =>
    send<Quote & ErrorAnswer>('POST', '/quotes', body, 'internal');
  const ruleRows = async () => ({
    rules: await scalar(app.db, `SELECT count(*) FROM price_rules`),
    versions: await scalar(app.db, `SELECT count(*) FROM price_rule_versions`),
  });
  const tokens = { mode: 'tokens', input_per_million: 2, output_per_million: 8 };

  describe('CRUD and versions', () => {
    it('creates a rule as version 1, with prices as exact decimal strings', async () => {
      const scene = unique('chat');
      const rule = await create({
        scene,
        provider: 'openai',
        model: 'gpt-4o',
        mode: 'tokens',
        priority: 5,
        input_per_million: '2.50',
        output_per_million: 10,
        cached_per_million: 1.25,
      });
      expect(rule).toMatchObject({
        version: 1,
        scene,
        provider: 'openai',
        model: 'gpt-4o',
        mode: 'tokens',
        priority: 5,
        status: 'active',
        input_per_million: '2.5',
        output_per_million: '10',
        cached_per_million: '1.25',
        reasoning_per_million: null,
        credits_per_call: null,
        min_credits: null,
      });
      expect(typeof rule.id).toBe('number');
    });

    it('makes a new version on PATCH, leaves v1 untouched and still findable', async () => {
      const scene = unique('chat');
      const rule = await create({ scene, ...tokens });
      const v2 = await send('PATCH', `${rules}/${rule.id}`, { output_per_million: '12.000001' });
      expect(v2).toMatchObject({
        status: 200,
        body: { id: rule.id, version: 2, input_per_million: '2', output_per_million: '12.000001' },
      });

      const got = await send('GET', `${rules}/${rule.id}`, undefined, 'internal');
      expect(got.body).toMatchObject({ id: rule.id, version: 2, output_per_million: '12.000001' });
      expect(got.body.versions!.map((v) => [v.version, v.output_per_million])).toEqual([
        [1, '8'],
        [2, '12.000001'],
      ]);
      const v1 = await app.store.app
        .get(PriceRuleRepository)
        .findVersion(app.db.manager, rule.id, 1);
      expect(v1).toMatchObject({ id: rule.id, version: 1, output_per_million: '8' });

      // A PATCH that changes nothing adds no version; null clears a nullable field.
      expect(
        (await send('PATCH', `${rules}/${rule.id}`, { input_per_million: 2 })).body.version,
      ).toBe(2);
      await send('PATCH', `${rules}/${rule.id}`, { provider: 'openai' });
      const cleared = await send('PATCH', `${rules}/${rule.id}`, { provider: null });
      expect(cleared.body).toMatchObject({ version: 4, provider: null });
    });

    it('makes one version per concurrent edit, one after the other', async () => {
      const rule = await create({ scene: unique('img'), mode: 'fixed', credits_per_call: 1 });
      const edits = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          send('PATCH', `${rules}/${rule.id}`, { credits_per_call: i + 2 }),
        ),
      );
      expect(edits.map((e) => e.status)).toEqual(Array(10).fill(200));
      expect(edits.map((e) => e.body.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 10 }, (_, i) => i + 2),
      );
      const history = await send('GET', `${rules}/${rule.id}`);
      expect(history.body.versions!.map((v) => v.version)).toEqual(
        Array.from({ length: 11 }, (_, i) => i + 1),
      );
      const last = edits.find((e) => e.body.version === 11)!;
      expect(history.body.credits_per_call).toBe(last.body.credits_per_call);
    });

    it('changes the mode in a new version, dropping the old mode prices', async () => {
      const rule = await create({ scene: unique('img'), ...tokens });
      const fixed = await send('PATCH', `${rules}/${rule.id}`, {
        mode: 'fixed',
        credits_per_call: 3,
      });
      expect(fixed.body).toMatchObject({
        version: 2,
        mode: 'fixed',
        credits_per_call: '3',
        input_per_million: null,
        output_per_million: null,
      });
    });

    it('soft-deletes with a last version: no longer listed or matched, history kept', async () => {
      const scene = unique('chat');
      const rule = await create({ scene, ...tokens });
      const deleted = await send('DELETE', `${rules}/${rule.id}`);
      expect(deleted).toMatchObject({ status: 200, body: { version: 2, status: 'deleted' } });

      expect((await send<Rule[]>('GET', `${rules}?scene=${scene}`)).body).toEqual([]);
      expect((await send<Rule[]>('GET', `${rules}?scene=${scene}&status=deleted`)).body).toEqual([
        expect.objectContaining({ id: rule.id, status: 'deleted' }),
      ]);
      const history = await send('GET', `${rules}/${rule.id}`);
      expect(history.body.versions!.map((v) => v.status)).toEqual(['active', 'deleted']);
      expect((await quote({ scene, usage: {} })).status).toBe(422);

      for (const [method, body] of [
        ['PATCH', { priority: 1 }],
        ['DELETE', undefined],
      ] as const) {
        const again = await send<ErrorAnswer>(method, `${rules}/${rule.id}`, body);
        expect(again).toMatchObject({ status: 404, body: { code: 'not_found' } });
      }
    });

    it('lists current versions, filtered by scene and status', async () => {
      const scene = unique('tts');
      const a = await create({ scene, mode: 'duration', credits_per_second: '0.5' });
      const b = await create({ scene, mode: 'free', status: 'inactive' });
      await send('PATCH', `${rules}/${a.id}`, { credits_per_second: '0.6' });

      const all = await send<Rule[]>('GET', `${rules}?scene=${scene}`, undefined, 'internal');
      expect(all.body.map((r) => [r.id, r.version, r.status])).toEqual([
        [a.id, 2, 'active'],
        [b.id, 1, 'inactive'],
      ]);
      const inactive = await send<Rule[]>('GET', `${rules}?scene=${scene}&status=inactive`);
      expect(inactive.body.map((r) => r.id)).toEqual([b.id]);
      const everything = await send<Rule[]>('GET', rules);
      expect(everything.body.map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    });

    it('answers 404 for an unknown id and 400 for an id that is not one', async () => {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const body = method === 'PATCH' ? { priority: 1 } : undefined;
        const missing = await send<ErrorAnswer>(method, `${rules}/987654321`, body);
        expect(missing).toMatchObject({ status: 404, body: { code: 'not_found' } });
        for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
          const bad = await send<ErrorAnswer>(method, `${rules}/${id}`, body);
          expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
        }
      }
    });

    it('keeps versions append-only in the database', async () => {
      const rule = await create({ scene: unique('chat'), ...tokens });
      await expect(
        app.db.query(`UPDATE price_rule_versions SET priority = 9 WHERE rule_id = $1`, [rule.id]),
      ).rejects.toThrow(/append-only/);
      await expect(
        app.db.query(`DELETE FROM price_rule_versions WHERE rule_id = $1`, [rule.id]),
      ).rejects.toThrow(/append-only/);
    });
  });

  describe('matching', () => {
    it('picks the highest priority, then the most specific, then the oldest active rule', async () => {
      const scene = unique('chat');
      const any = await create({ scene, mode: 'fixed', credits_per_call: 1 });
      const openai = await create({
        scene,
        provider: 'openai',
        mode: 'fixed',
        credits_per_call: 2,
      });
      const model = await create({ scene, model: 'gpt-4o', mode: 'fixed', credits_per_call: 3 });
      const both = await create({
        scene,
        provider: 'openai',
        model: 'gpt-4o',
        mode: 'fixed',
        credits_per_call: 4,
      });
      await create({ scene, model: 'gpt-4o', mode: 'fixed', credits_per_call: 5 }); // a younger twin
      await create({ scene, mode: 'fixed', credits_per_call: 6, priority: 99, status: 'inactive' });
      const ruleFor = async (target: Record<string, string>) =>
        (await quote({ scene, ...target, usage: {} })).body.rule_id;

      expect(await ruleFor({ provider: 'openai', model: 'gpt-4o' })).toBe(both.id);
      expect(await ruleFor({ provider: 'azure', model: 'gpt-4o' })).toBe(model.id);
      expect(await ruleFor({ provider: 'openai', model: 'o3' })).toBe(openai.id);
      expect(await ruleFor({ provider: 'anthropic' })).toBe(any.id);

      const urgent = await create({ scene, mode: 'fixed', credits_per_call: 7, priority: 10 });
      expect(await ruleFor({ provider: 'openai', model: 'gpt-4o' })).toBe(urgent.id);
      await send('PATCH', `${rules}/${urgent.id}`, { status: 'inactive' });
      expect(await ruleFor({ provider: 'openai', model: 'gpt-4o' })).toBe(both.id);
    });

    it('lists the distinct models of the active rules of a scene', async () => {
      const scene = unique('chat');
      await create({ scene, model: 'b-model', ...tokens });
      await create({ scene, provider: 'x', model: 'b-model', ...tokens });
      await create({ scene, model: 'a-model', ...tokens });
      await create({ scene, model: 'off-model', ...tokens, status: 'inactive' });
      const gone = await create({ scene, model: 'gone-model', ...tokens });
      await send('DELETE', `${rules}/${gone.id}`);
      await create({ scene, ...tokens });
      const models = await send<string[]>(
        'GET',
        `/price-rules/models?scene=${scene}`,
        undefined,
        'internal',
      );
      expect(models).toEqual({ status: 200, body: ['a-model', 'b-model'] });
    });
  });

  describe('quotes', () => {
    it('prices tokens exactly, cached and reasoning included in input and output', async () => {
      const scene = unique('chat');
      const rule = await create({
        scene,
        model: 'gpt-x',
        mode: 'tokens',
        input_per_million: 2,
        output_per_million: 8,
        cached_per_million: '0.5',
      });
      const usage = {
        input_tokens: 1_000_000,
        cached_tokens: 500_000,
        output_tokens: 1_000_000,
        reasoning_tokens: 250_000,
      };
      // 0.5M × 2 + 0.5M × 0.5 + 1M × 8 (reasoning at the output price) = 9.25 → 10.
      expect(await quote({ scene, model: 'gpt-x', usage })).toEqual({
        status: 200,
        body: {
          amount: 10,
          rule_id: rule.id,
          rule_version: 1,
          mode: 'tokens',
          exact_cost: '9.25',
          usage,
        },
      });
      // 1,000 input tokens at 2 per million: 0.002 → at least 1.
      expect(
        (await quote({ scene, model: 'gpt-x', usage: { input_tokens: 1000 } })).body,
      ).toMatchObject({ amount: 1, exact_cost: '0.002' });
    });

    it('applies min_credits, prices fixed calls, decimal seconds and free calls', async () => {
      const scene = unique('media');
      await create({ scene, model: 'img', mode: 'fixed', credits_per_call: '2.5' });
      await create({
        scene,
        model: 'tts',
        mode: 'duration',
        credits_per_second: '0.3',
        min_credits: 2,
      });
      await create({ scene, model: 'tts-floor', ...tokens, min_credits: 50 });
      await create({ scene, model: 'free', mode: 'free' });
      const amountOf = async (model: string, usage: Record<string, number>) =>
        (await quote({ scene, model, usage })).body;

      expect(await amountOf('img', {})).toMatchObject({ amount: 3, exact_cost: '2.5' });
      expect(await amountOf('tts', { seconds: 3 })).toMatchObject({ amount: 2, exact_cost: '0.9' });
      expect(await amountOf('tts', { seconds: 12.345 })).toMatchObject({
        amount: 4,
        exact_cost: '3.7035',
      });
      expect(await amountOf('tts-floor', { input_tokens: 10 })).toMatchObject({ amount: 50 });
      expect(await amountOf('free', { input_tokens: 10 ** 9 })).toMatchObject({
        amount: 0,
        exact_cost: '0',
        mode: 'free',
      });
    });

    it('re-derives a charge with the version it was priced with, after the rule changed', async () => {
      const scene = unique('chat');
      const rule = await create({ scene, ...tokens });
      const usage = { input_tokens: 3_000_000, output_tokens: 1_000_000 };
      const first = (await quote({ scene, usage })).body;
      expect(first).toMatchObject({ amount: 14, rule_version: 1 });
      await send('PATCH', `${rules}/${rule.id}`, { input_per_million: 4 });
      expect((await quote({ scene, usage })).body).toMatchObject({ amount: 20, rule_version: 2 });

      const pricing = app.store.app.get(PricingService);
      expect(await pricing.priceWithVersion(rule.id, 1, usage)).toEqual(first);
      await expect(pricing.priceWithVersion(rule.id, 9, usage)).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('answers 422 no_price_rule when no active rule matches', async () => {
      const scene = unique('chat');
      await create({ scene, provider: 'openai', ...tokens });
      await create({ scene, ...tokens, status: 'inactive' });
      for (const target of [{ scene: unique('none') }, { scene, provider: 'azure' }, { scene }]) {
        const answer = await quote({ ...target, usage: { input_tokens: 1 } });
        expect(answer).toMatchObject({
          status: 422,
          body: { statusCode: 422, code: 'no_price_rule' },
        });
      }
    });

    it.each([
      ['cached above input', { input_tokens: 1, cached_tokens: 2 }, 'usage.cached_tokens'],
      ['reasoning above output', { reasoning_tokens: 1 }, 'usage.reasoning_tokens'],
      ['seconds with 4 places', { seconds: 1.0001 }, 'usage.seconds'],
      ['negative tokens', { input_tokens: -1 }, 'usage.input_tokens'],
      ['tokens as a string', { input_tokens: '10' }, 'usage.input_tokens'],
      ['an unknown usage field', { images: 1 }, 'images'],
    ])('refuses a quote with %s (400)', async (_, usage, field) => {
      const answer = await quote({ scene: 'chat', usage });
      expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(answer.body.message).toContain(field);
    });

    it('refuses a quote without usage, and one costing more than one charge may carry', async () => {
      expect((await quote({ scene: 'chat' })).body.message).toContain('usage');
      const scene = unique('chat');
      await create({ scene, mode: 'tokens', input_per_million: 999999999, output_per_million: 1 });
      const huge = await quote({ scene, usage: { input_tokens: 10 ** 12 } });
      expect(huge).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(huge.body.message).toContain('usage');
    });
  });

  describe('auth', () => {
    it('needs a token everywhere, and the admin token to write', async () => {
      const rule = await create({ scene: unique('chat'), ...tokens });
      const anonymous: [string, string, unknown?][] = [
        ['POST', rules, { scene: 'chat', mode: 'free' }],
        ['GET', rules],
        ['GET', `${rules}/${rule.id}`],
        ['POST', '/quotes', { scene: 'chat', usage: {} }],
        ['GET', '/price-rules/models'],
        ['GET', '/admin/reward-rules'],
      ];
      for (const [method, path, body] of anonymous) {
        expect((await send(method, path, body, 'none')).status).toBe(401);
      }
      const before = await ruleRows();
      const writes: [string, string, unknown?][] = [
        ['POST', rules, { scene: 'chat', mode: 'free' }],
        ['PATCH', `${rules}/${rule.id}`, { priority: 3 }],
        ['DELETE', `${rules}/${rule.id}`],
        ['POST', '/admin/reward-rules', { source: unique('src'), name: 'x', amount: 1 }],
      ];
      for (const [method, path, body] of writes) {
        const answer = await send<ErrorAnswer>(method, path, body, 'internal');
        expect(answer).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      }
      expect(await ruleRows()).toEqual(before);
      for (const path of [rules, `${rules}/${rule.id}`, '/price-rules/models?scene=chat']) {
        expect((await send('GET', path, undefined, 'internal')).status).toBe(200);
      }
    });
  });

  describe('bad input writes nothing', () => {
    it.each([
      [
        'tokens without output_per_million',
        { mode: 'tokens', input_per_million: 1 },
        'output_per_million',
      ],
      ['fixed without credits_per_call', { mode: 'fixed' }, 'credits_per_call'],
      ['duration without credits_per_second', { mode: 'duration' }, 'credits_per_second'],
      ['7 decimal places', { mode: 'fixed', credits_per_call: '0.1234567' }, 'credits_per_call'],
      ['a negative price', { mode: 'fixed', credits_per_call: -1 }, 'credits_per_call'],
      ['a price above the bound', { mode: 'fixed', credits_per_call: 1e9 }, 'credits_per_call'],
      ['a price in exponent form', { mode: 'fixed', credits_per_call: 1e-7 }, 'credits_per_call'],
      ['a price as a boolean', { mode: 'fixed', credits_per_call: true }, 'credits_per_call'],
      ['a price the mode does not use', { ...tokens, credits_per_call: 1 }, 'credits_per_call'],
      ['min_credits on a free rule', { mode: 'free', min_credits: 1 }, 'min_credits'],
      [
        'a negative min_credits',
        { mode: 'fixed', credits_per_call: 1, min_credits: -1 },
        'min_credits',
      ],
      ['an unknown mode', { mode: 'per-word' }, 'mode'],
      ['an uppercase scene', { scene: 'Chat', mode: 'free' }, 'scene'],
      ['no scene', { scene: undefined, mode: 'free' }, 'scene'],
      ['an empty provider', { mode: 'free', provider: '' }, 'provider'],
      ['a model of 129 characters', { mode: 'free', model: 'm'.repeat(129) }, 'model'],
      ['a fractional priority', { mode: 'free', priority: 1.5 }, 'priority'],
      ['status deleted', { mode: 'free', status: 'deleted' }, 'status'],
      ['an unknown field', { mode: 'free', version: 3 }, 'version'],
    ])('refuses to create a rule with %s (400)', async (_, fields, field) => {
      const before = await ruleRows();
      const answer = await send<ErrorAnswer>('POST', rules, { scene: 'chat', ...fields });
      expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(answer.body.message).toContain(field);
      expect(await ruleRows()).toEqual(before);
    });

    it('refuses bad edits without adding a version', async () => {
      const rule = await create({ scene: unique('chat'), ...tokens });
      const edits: [Record<string, unknown>, string][] = [
        [{ input_per_million: null }, 'input_per_million'],
        [{ mode: 'fixed' }, 'credits_per_call'],
        [{ scene: null }, 'scene'],
        [{ priority: 'high' }, 'priority'],
        [{ output_per_million: '1.1234567' }, 'output_per_million'],
        [{ id: 5 }, 'id'],
      ];
      const before = await ruleRows();
      for (const [edit, field] of edits) {
        const answer = await send<ErrorAnswer>('PATCH', `${rules}/${rule.id}`, edit);
        expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
        expect(answer.body.message).toContain(field);
      }
      expect(await ruleRows()).toEqual(before);
      expect((await send('GET', `${rules}/${rule.id}`)).body.version).toBe(1);
    });

    it('refuses a body that is not JSON', async () => {
      const answer = await send<ErrorAnswer>('POST', rules, '{"scene":');
      expect(answer.status).toBe(400);
    });
  });

  describe('reward rules', () => {
    const rewardRules = '/admin/reward-rules';
    const rewardRows = () => scalar(app.db, `SELECT count(*) FROM reward_rules`);

    it('creates, lists, edits and deletes a rule; a duplicate source is 409', async () => {
      const source = unique('forum-like');
      const created = await send<RewardRule>('POST', rewardRules, {
        source,
        name: 'A like on your post',
        amount: 3,
      });
      expect(created).toMatchObject({
        status: 201,
        body: { source, name: 'A like on your post', amount: 3, status: 'active' },
      });
      const id = created.body.id;

      const duplicate = await send<ErrorAnswer>('POST', rewardRules, {
        source,
        name: 'again',
        amount: 1,
      });
      expect(duplicate).toMatchObject({ status: 409, body: { code: 'already_exists' } });

      const edited = await send<RewardRule>('PATCH', `${rewardRules}/${id}`, {
        amount: 5,
        status: 'inactive',
      });
      expect(edited.body).toMatchObject({ id, source, amount: 5, status: 'inactive' });
      const listed = await send<RewardRule[]>('GET', rewardRules);
      expect(listed.body.find((r) => r.id === id)).toMatchObject({ amount: 5 });

      const deleted = await send<RewardRule>('DELETE', `${rewardRules}/${id}`);
      expect(deleted.body).toMatchObject({ id, status: 'deleted' });
      expect((await send<RewardRule[]>('GET', rewardRules)).body.map((r) => r.id)).not.toContain(
        id,
      );
      expect((await send('PATCH', `${rewardRules}/${id}`, { amount: 1 })).status).toBe(404);
      expect((await send('DELETE', `${rewardRules}/${id}`)).status).toBe(404);

      // A deleted rule's source may be taken again.
      const again = await send<RewardRule>('POST', rewardRules, { source, name: 'v2', amount: 2 });
      expect(again).toMatchObject({ status: 201, body: { source, amount: 2 } });
      expect(again.body.id).not.toBe(id);
    });

    it('lets one of concurrent creates of a source win, the others 409', async () => {
      const source = unique('src');
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          send('POST', rewardRules, { source, name: 'n', amount: 1 }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
    });

    it.each([
      ['an amount of 0', { amount: 0 }, 'amount'],
      ['a fractional amount', { amount: 1.5 }, 'amount'],
      ['an amount above MAX_AMOUNT', { amount: 1e12 + 1 }, 'amount'],
      ['an amount as a string', { amount: '3' }, 'amount'],
      ['an uppercase source', { source: 'Forum-Like' }, 'source'],
      ['an empty name', { name: '' }, 'name'],
      ['status deleted', { status: 'deleted' }, 'status'],
      ['an unknown field', { user_id: 'u' }, 'user_id'],
    ])('refuses a reward rule with %s (400) and writes nothing', async (_, fields, field) => {
      const before = await rewardRows();
      const answer = await send<ErrorAnswer>('POST', rewardRules, {
        source: unique('src'),
        name: 'n',
        amount: 1,
        ...fields,
      });
      expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(answer.body.message).toContain(field);
      expect(await rewardRows()).toBe(before);
    });

    it('refuses edits of the source, null fields or bad amounts, changing nothing', async () => {
      const source = unique('src');
      const rule = await send<RewardRule>('POST', rewardRules, { source, name: 'n', amount: 4 });
      for (const edit of [
        { source: unique('src') },
        { amount: null },
        { name: null },
        { amount: 0 },
      ]) {
        const answer = await send<ErrorAnswer>('PATCH', `${rewardRules}/${rule.body.id}`, edit);
        expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      }
      const listed = await send<RewardRule[]>('GET', rewardRules);
      expect(listed.body.find((r) => r.id === rule.body.id)).toMatchObject({
        source,
        name: 'n',
        amount: 4,
      });
      expect((await send('PATCH', `${rewardRules}/987654321`, { amount: 1 })).status).toBe(404);
    });
  });
});
